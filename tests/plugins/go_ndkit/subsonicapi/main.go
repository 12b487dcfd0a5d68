// The SubsonicAPI conformance plugin, on Navidrome's own Go kit (the protocol
// of the original's test-subsonicapi-plugin): the input is the URI itself;
// a failed call sets the export's error and returns 1.
package main

import (
	"encoding/json"

	"github.com/navidrome/navidrome/plugins/pdk/go/host"
	"github.com/navidrome/navidrome/plugins/pdk/go/pdk"
)

//go:wasmexport call_subsonic_api
func callSubsonicAPI() int32 {
	body, err := host.SubsonicAPICall(pdk.InputString())
	if err != nil {
		pdk.SetErrorString("failed to call SubsonicAPI: " + err.Error())
		return 1
	}
	pdk.OutputString(body)
	return 0
}

type rawResult struct {
	ContentType string `json:"contentType"`
	Size        int    `json:"size"`
	FirstByte   int    `json:"firstByte"`
}

//go:wasmexport call_subsonic_api_raw
func callSubsonicAPIRaw() int32 {
	contentType, data, err := host.SubsonicAPICallRaw(pdk.InputString())
	if err != nil {
		pdk.SetErrorString("failed to call SubsonicAPI raw: " + err.Error())
		return 1
	}
	r := rawResult{ContentType: contentType, Size: len(data)}
	if len(data) > 0 {
		r.FirstByte = int(data[0])
	}
	out, _ := json.Marshal(r)
	pdk.Output(out)
	return 0
}

func main() {}
