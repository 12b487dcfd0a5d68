// A Go plugin built with the Extism Go kit (github.com/extism/go-pdk) and Go's
// own wasip1 port as a reactor (-buildmode=c-shared): it knows nothing of Pier.
package main

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/extism/go-pdk"
)

//go:wasmexport echo
func echo() int32 {
	pdk.Output(pdk.Input())
	return 0
}

//go:wasmexport json_echo
func jsonEcho() int32 {
	var in map[string]any
	if err := json.Unmarshal(pdk.Input(), &in); err != nil {
		pdk.SetError(err)
		return 1
	}
	out, _ := json.Marshal(map[string]any{"echo": in, "keys": len(in)})
	pdk.Output(out)
	return 0
}

// calls counts the calls this instance has served, in a Go global (and a
// map the runtime allocated), so a test can see whether instances are reused.
var calls int
var seen = map[int]bool{}

//go:wasmexport global_calls
func globalCalls() int32 {
	calls++
	seen[calls] = true
	pdk.OutputString(strconv.Itoa(calls) + "/" + strconv.Itoa(len(seen)))
	return 0
}

//go:wasmexport greet
func greet() int32 {
	greeting, ok := pdk.GetConfig("greeting")
	if !ok {
		greeting = "Hello"
	}
	pdk.OutputString(greeting + ", " + pdk.InputString() + "!")
	return 0
}

// counter keeps a count in an Extism var.
//
//go:wasmexport counter
func counter() int32 {
	n := 0
	if v := pdk.GetVar("count"); v != nil {
		n, _ = strconv.Atoi(string(v))
	}
	n++
	pdk.SetVar("count", []byte(strconv.Itoa(n)))
	pdk.OutputString(strconv.Itoa(n))
	return 0
}

//go:wasmexport log_all
func logAll() int32 {
	pdk.Log(pdk.LogDebug, "go debug")
	pdk.Log(pdk.LogInfo, "go info")
	pdk.Log(pdk.LogWarn, "go warn")
	pdk.Log(pdk.LogError, "go error")
	pdk.OutputString("logged")
	return 0
}

//go:wasmexport http_get
func httpGet() int32 {
	req := pdk.NewHTTPRequest(pdk.MethodGet, pdk.InputString())
	req.SetHeader("X-Pier-Test", "go")
	res := req.Send()
	out, _ := json.Marshal(map[string]any{"status": res.Status(), "body": string(res.Body()), "headers": res.Headers()})
	pdk.Output(out)
	return 0
}

//go:wasmexport fail
func fail() int32 {
	pdk.SetErrorString("go failure: " + pdk.InputString())
	return 1
}

//go:wasmexport not_implemented
func notImplemented() int32 { return -2 }

// sleep_ms sleeps through the Go runtime (WASI poll_oneoff).
//
//go:wasmexport sleep_ms
func sleepMs() int32 {
	ms, _ := strconv.Atoi(pdk.InputString())
	start := time.Now()
	time.Sleep(time.Duration(ms) * time.Millisecond)
	pdk.OutputString(strconv.FormatInt(time.Since(start).Milliseconds(), 10))
	return 0
}

var hoard [][]byte

//go:wasmexport alloc_bomb
func allocBomb() int32 {
	for {
		hoard = append(hoard, make([]byte, 1<<20))
	}
}

//go:wasmexport spin
func spin() int32 {
	n := 0
	for {
		n++
	}
}

func main() {}
