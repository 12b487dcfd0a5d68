// The Config conformance plugin, on Navidrome's own Go kit: nd_test_config
// reads the plugin's configuration through the Config service (the
// protocol of the original's test-config plugin).
package main

import (
	"github.com/navidrome/navidrome/plugins/pdk/go/host"

	"pier.test/ndkit/testop"
)

type request struct {
	Operation string `json:"operation"`
	Key       string `json:"key"`
	Prefix    string `json:"prefix"`
}

type response struct {
	testop.Errors
	StringVal string   `json:"string_val,omitempty"`
	IntVal    int64    `json:"int_val,omitempty"`
	Keys      []string `json:"keys,omitempty"`
	Exists    bool     `json:"exists,omitempty"`
}

//go:wasmexport nd_test_config
func ndTestConfig() int32 { return testop.Serve(configOperation) }

func configOperation(in request, out *response) (err error) {
	switch in.Operation {
	case "get":
		out.StringVal, out.Exists = host.ConfigGet(in.Key)
	case "get_int":
		out.IntVal, out.Exists = host.ConfigGetInt(in.Key)
	case "list":
		out.Keys = host.ConfigKeys(in.Prefix)
	default:
		err = testop.Unknown(in.Operation)
	}
	return err
}

func main() {}
