package testkit

import (
	"net/http"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// HandlerClient returns an aws.HTTPClient that serves every request by calling
// h.ServeHTTP in the caller's goroutine: no listener, no socket, no
// connection pool.
//
// Use it where a real loopback connection gets in the way, above all inside a
// testing/synctest bubble: a goroutine blocked on a network read is not
// "durably blocked", so the bubble's fake clock would never advance while a
// client waits on an httptest.Server. Through HandlerClient, a handler that
// waits on a timer or a channel created in the bubble is durably blocked and
// fake time moves on.
//
// The request's context is the handler's context, so cancelling the SDK call
// cancels the handler. The response is buffered in full before it is returned,
// so this is not for streaming large bodies.
func HandlerClient(h http.Handler) aws.HTTPClient {
	return handlerClient{h: h}
}

type handlerClient struct{ h http.Handler }

func (c handlerClient) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Turn the outgoing request into what a server would see.
	in := req.Clone(ctx)
	in.RequestURI = req.URL.RequestURI()
	if in.Host == "" {
		in.Host = req.URL.Host
	}
	in.RemoteAddr = "192.0.2.1:49152" // TEST-NET-1: obviously not a real peer
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, in)
	if req.Body != nil {
		_ = req.Body.Close()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}
