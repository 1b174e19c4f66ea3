package message_test

import (
	"fmt"

	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/message"
)

func ExampleParse() {
	body := []byte(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",
		"s3":{"bucket":{"name":"trail-bucket"},"object":{"key":"my+prefix/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/25/f.json.gz","size":1024}}}]}`)
	m, err := message.Parse(body)
	if err != nil {
		fmt.Println("ERROR", err, "body:", message.Excerpt(body, 120))
		return
	}
	for _, o := range m.Objects {
		k := message.ClassifyKey(o.Key)
		fmt.Printf("%s s3://%s/%s %d bytes: %v of %s in %s\n", m.Format, o.Bucket, o.Key, o.Size, k.Kind, k.AccountID, k.Region)
	}
	// Output:
	// s3-event s3://trail-bucket/my prefix/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/25/f.json.gz 1024 bytes: log of 111122223333 in us-east-1
}

func ExampleExcerpt() {
	body := []byte("not json\nINFO forged line \u202e")
	fmt.Println(message.Excerpt(body, 40))
	fmt.Println(message.Excerpt(body, 24))
	// Output:
	// not json\nINFO forged line \u202e
	// not json\nINFO forged…
}
