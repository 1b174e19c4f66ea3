package sqsfake

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

type receiveResult struct {
	msgs []types.Message
	err  error
	at   time.Time
}

// longPoll starts a ReceiveMessage with the given wait in a goroutine.
func longPoll(t *testing.T, c *sqs.Client, url string, wait int32) <-chan receiveResult {
	ch := make(chan receiveResult, 1)
	go func() {
		out, err := c.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(url),
			WaitTimeSeconds:             wait,
			MaxNumberOfMessages:         10,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
		})
		r := receiveResult{err: err, at: time.Now()}
		if out != nil {
			r.msgs = out.Messages
		}
		ch <- r
	}()
	return ch
}

func (f *Fake) waiting() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.waiters
}

// Over real HTTP: a 20 s long poll returns as soon as a message is sent, and
// an empty 1 s poll returns after about a second.
func TestLongPollOverHTTP(t *testing.T) {
	f, c := Start(t)
	url := createQueue(t, c, "q", nil)

	t.Run("wakes on send", func(t *testing.T) {
		ch := longPoll(t, c, url, 20)
		for deadline := time.Now().Add(5 * time.Second); f.waiting() == 0; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the long poll never started waiting")
			}
		}
		sentAt := time.Now()
		sendBody(t, c, url, "wake up")
		r := <-ch
		if r.err != nil || len(r.msgs) != 1 {
			t.Fatalf("long poll = %v, %v", bodies(r.msgs), r.err)
		}
		if d := r.at.Sub(sentAt); d > 2*time.Second {
			t.Errorf("long poll returned %v after the send", d)
		}
	})
	t.Run("empty poll waits WaitTimeSeconds", func(t *testing.T) {
		start := time.Now()
		r := <-longPoll(t, c, url, 1)
		if r.err != nil || len(r.msgs) != 0 {
			t.Fatalf("empty long poll = %v, %v", bodies(r.msgs), r.err)
		}
		if d := r.at.Sub(start); d < time.Second || d > 3*time.Second {
			t.Errorf("empty 1 s long poll took %v", d)
		}
	})
}

// In a synctest bubble, with the in-memory client, the same behaviour is
// checked to the nanosecond of fake time and without real waiting.
func TestLongPollSynctest(t *testing.T) {
	t.Run("wakes on send", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := New()
			c := f.NewClient()
			url := createQueue(t, c, "q", nil)
			ch := longPoll(t, c, url, 20)
			time.Sleep(7 * time.Second)
			synctest.Wait() // the poll is parked on its channels
			if f.waiting() != 1 {
				t.Fatalf("waiting long polls = %d, want 1", f.waiting())
			}
			sentAt := time.Now()
			sendBody(t, c, url, "wake up")
			r := <-ch
			if r.err != nil || len(r.msgs) != 1 {
				t.Fatalf("long poll = %v, %v", bodies(r.msgs), r.err)
			}
			if !r.at.Equal(sentAt) {
				t.Errorf("long poll returned %v after the send, want at once", r.at.Sub(sentAt))
			}
		})
	})
	t.Run("empty poll returns after exactly WaitTimeSeconds", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := New()
			c := f.NewClient()
			url := createQueue(t, c, "q", nil)
			start := time.Now()
			r := <-longPoll(t, c, url, 20)
			if r.err != nil || len(r.msgs) != 0 {
				t.Fatalf("long poll = %v, %v", bodies(r.msgs), r.err)
			}
			if d := r.at.Sub(start); d != 20*time.Second {
				t.Errorf("empty long poll took %v, want 20s", d)
			}
		})
	})
	t.Run("queue default ReceiveMessageWaitTimeSeconds applies", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := New()
			c := f.NewClient()
			url := createQueue(t, c, "q", map[string]string{"ReceiveMessageWaitTimeSeconds": "8"})
			start := time.Now()
			// WaitTimeSeconds 0 is not sent by the SDK, so the queue's default wins.
			r := <-longPoll(t, c, url, 0)
			if d := r.at.Sub(start); r.err != nil || d != 8*time.Second {
				t.Errorf("long poll took %v (err %v), want the queue's 8s", d, r.err)
			}
		})
	})
	t.Run("wakes when a hidden message becomes visible", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := New()
			c := f.NewClient()
			url := createQueue(t, c, "q", map[string]string{"VisibilityTimeout": "5"})
			sendBody(t, c, url, "retry me")
			if got := receive(t, c, url, 1); len(got) != 1 {
				t.Fatalf("first receive: %v", bodies(got))
			}
			received := time.Now()
			r := <-longPoll(t, c, url, 20)
			if r.err != nil || len(r.msgs) != 1 || r.msgs[0].Attributes["ApproximateReceiveCount"] != "2" {
				t.Fatalf("long poll = %+v, %v", r.msgs, r.err)
			}
			if d := r.at.Sub(received); d != 5*time.Second {
				t.Errorf("redelivered after %v, want exactly the 5s visibility timeout", d)
			}
		})
	})
	t.Run("wakes when a delayed message is due", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := New()
			c := f.NewClient()
			url := createQueue(t, c, "q", nil)
			start := time.Now()
			if _, err := c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("later"), DelaySeconds: 3}); err != nil {
				t.Fatal(err)
			}
			r := <-longPoll(t, c, url, 20)
			if d := r.at.Sub(start); r.err != nil || len(r.msgs) != 1 || d != 3*time.Second {
				t.Errorf("long poll got %v after %v (err %v), want the message after 3s", bodies(r.msgs), d, r.err)
			}
		})
	})
	t.Run("Close releases waiting polls", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := New()
			c := f.NewClient()
			url := createQueue(t, c, "q", nil)
			start := time.Now()
			ch := longPoll(t, c, url, 20)
			synctest.Wait()
			f.Close()
			r := <-ch
			if r.err != nil || len(r.msgs) != 0 || !r.at.Equal(start) {
				t.Errorf("after Close: %v after %v, err %v", bodies(r.msgs), r.at.Sub(start), r.err)
			}
		})
	})
}
