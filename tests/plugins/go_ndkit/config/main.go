// The Config conformance plugin, on Navidrome's own Go kit: nd_test_config
// reads the plugin's configuration through the Config service (the
// protocol of the original's test-config plugin).
package main

import (
	"github.com/navidrome/navidrome/plugins/pdk/go/host"
	"github.com/navidrome/navidrome/plugins/pdk/go/pdk"
)

type request struct {
	Operation string `json:"operation"`
	Key       string `json:"key"`
	Prefix    string `json:"prefix"`
}

type response struct {
	StringVal string   `json:"string_val,omitempty"`
	IntVal    int64    `json:"int_val,omitempty"`
	Keys      []string `json:"keys,omitempty"`
	Exists    bool     `json:"exists,omitempty"`
	Error     string   `json:"error,omitempty"`
}

//go:wasmexport nd_test_config
func ndTestConfig() int32 {
	var in request
	if err := pdk.InputJSON(&in); err != nil {
		pdk.SetError(err)
		return 1
	}
	var out response
	switch in.Operation {
	case "get":
		out.StringVal, out.Exists = host.ConfigGet(in.Key)
	case "get_int":
		out.IntVal, out.Exists = host.ConfigGetInt(in.Key)
	case "list":
		out.Keys = host.ConfigKeys(in.Prefix)
	default:
		out.Error = "unknown operation: " + in.Operation
	}
	_ = pdk.OutputJSON(out)
	return 0
}

func main() {}
