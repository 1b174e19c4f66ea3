package awsx

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// SafeBodyClient wraps an HTTP client so that request bodies reach net/http
// without an io.WriterTo method.
//
// Why: smithy-go (v1.28.9) wraps every request body in a "safe" closer whose
// WriteTo returns io.EOF once the body has been closed, and the SDK closes the
// body as soon as client.Do returns, that is, as soon as the response
// headers are in. net/http's transport writes a body of known length and
// then copies "whatever is left" with io.Copy(io.Discard, body), which calls
// WriteTo. When the server answers before that last copy runs (a local fake
// or moto answers within microseconds), the copy fails with io.EOF, the
// transport treats it as a write error and closes the connection while the
// response body is still being read: the call fails with "deserialization
// failed ... use of closed network connection". Against sqsfake over
// loopback this hit about one request in a few thousand. Without WriteTo,
// io.Copy uses Read, which returns a clean io.EOF after Close.
func SafeBodyClient(next aws.HTTPClient) aws.HTTPClient {
	return safeBodyClient{next: next}
}

type safeBodyClient struct{ next aws.HTTPClient }

func (c safeBodyClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = readCloserOnly{req.Body}
	}
	return c.next.Do(req)
}

// readCloserOnly hides every method of the body but Read and Close.
type readCloserOnly struct{ io.ReadCloser }
