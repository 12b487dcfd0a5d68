// The HTTP conformance plugin, on Navidrome's own Go kit: nd_test_http sends
// one request with http_send and reports the answer or the error.
package main

import (
	"github.com/navidrome/navidrome/plugins/pdk/go/host"
	"github.com/navidrome/navidrome/plugins/pdk/go/pdk"
)

type response struct {
	StatusCode int32             `json:"statusCode,omitempty"`
	Headers    map[string]string `json:"headers,omitempty"`
	Body       string            `json:"body,omitempty"`
	Error      string            `json:"error,omitempty"`
}

//go:wasmexport nd_test_http
func ndTestHTTP() int32 {
	var in host.HTTPRequest
	if err := pdk.InputJSON(&in); err != nil {
		pdk.SetError(err)
		return 1
	}
	var out response
	r, err := host.HTTPSend(in)
	if err != nil {
		out.Error = err.Error()
	} else if r != nil {
		out.StatusCode, out.Headers, out.Body = r.StatusCode, r.Headers, string(r.Body)
	}
	_ = pdk.OutputJSON(out)
	return 0
}

func main() {}
