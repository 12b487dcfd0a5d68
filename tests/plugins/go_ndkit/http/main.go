// The HTTP conformance plugin, on Navidrome's own Go kit: nd_test_http sends
// one request with http_send and reports the answer or the error.
package main

import (
	"github.com/navidrome/navidrome/plugins/pdk/go/host"

	"pier.test/ndkit/testop"
)

type response struct {
	testop.Errors
	StatusCode int32             `json:"statusCode,omitempty"`
	Headers    map[string]string `json:"headers,omitempty"`
	Body       string            `json:"body,omitempty"`
}

//go:wasmexport nd_test_http
func ndTestHTTP() int32 { return testop.Serve(send) }

func send(in host.HTTPRequest, out *response) error {
	r, err := host.HTTPSend(in)
	if err == nil && r != nil {
		out.StatusCode, out.Headers, out.Body = r.StatusCode, r.Headers, string(r.Body)
	}
	return err
}

func main() {}
