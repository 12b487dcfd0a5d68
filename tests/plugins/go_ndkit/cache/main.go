// The Cache conformance plugin, on Navidrome's own Go kit: nd_test_cache
// runs one Cache operation (the protocol of the original's test-cache-plugin).
package main

import (
	"github.com/navidrome/navidrome/plugins/pdk/go/host"

	"pier.test/ndkit/testop"
)

type request struct {
	Operation  string  `json:"operation"`
	Key        string  `json:"key"`
	StringVal  string  `json:"string_val"`
	IntVal     int64   `json:"int_val"`
	FloatVal   float64 `json:"float_val"`
	BytesVal   []byte  `json:"bytes_val"`
	TTLSeconds int64   `json:"ttl_seconds"`
}

type response struct {
	testop.Errors
	StringVal string  `json:"string_val,omitempty"`
	IntVal    int64   `json:"int_val,omitempty"`
	FloatVal  float64 `json:"float_val,omitempty"`
	BytesVal  []byte  `json:"bytes_val,omitempty"`
	Exists    bool    `json:"exists,omitempty"`
}

//go:wasmexport nd_test_cache
func ndTestCache() int32 { return testop.Serve(cacheOperation) }

func cacheOperation(in request, out *response) (err error) {
	switch in.Operation {
	case "set_string":
		err = host.CacheSetString(in.Key, in.StringVal, in.TTLSeconds)
	case "get_string":
		out.StringVal, out.Exists, err = host.CacheGetString(in.Key)
	case "set_int":
		err = host.CacheSetInt(in.Key, in.IntVal, in.TTLSeconds)
	case "get_int":
		out.IntVal, out.Exists, err = host.CacheGetInt(in.Key)
	case "set_float":
		err = host.CacheSetFloat(in.Key, in.FloatVal, in.TTLSeconds)
	case "get_float":
		out.FloatVal, out.Exists, err = host.CacheGetFloat(in.Key)
	case "set_bytes":
		err = host.CacheSetBytes(in.Key, in.BytesVal, in.TTLSeconds)
	case "get_bytes":
		out.BytesVal, out.Exists, err = host.CacheGetBytes(in.Key)
	case "has":
		out.Exists, err = host.CacheHas(in.Key)
	case "remove":
		err = host.CacheRemove(in.Key)
	default:
		err = testop.Unknown(in.Operation)
	}
	return err
}

func main() {}
