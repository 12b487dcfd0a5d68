// The Go SDK side of bench/extism.sh: the same .wasm files and loops under
// Extism's Go SDK on wazero (what Navidrome uses). Prints
// "ROW <name> <ns per operation>". Argument: the folder holding the plugins.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	extism "github.com/extism/go-sdk"
)

// measure: nanoseconds per call of f, the best of three runs of about budget.
func measure(budget time.Duration, f func()) float64 {
	for i := 0; i < 10; i++ {
		f()
	}
	best := -1.0
	for r := 0; r < 3; r++ {
		start := time.Now()
		n := 0
		for time.Since(start) < budget {
			for i := 0; i < 16; i++ {
				f()
			}
			n += 16
		}
		ns := float64(time.Since(start).Nanoseconds()) / float64(n)
		if best < 0 || ns < best {
			best = ns
		}
	}
	return best
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	dir := os.Args[1]
	budget := time.Second
	if ms, err := strconv.Atoi(os.Getenv("BENCH_MS")); err == nil {
		budget = time.Duration(ms) * time.Millisecond
	}
	ctx := context.Background()
	manifest := func(name string) extism.Manifest {
		return extism.Manifest{Wasm: []extism.Wasm{extism.WasmFile{Path: dir + "/" + name + ".wasm"}}}
	}
	config := extism.PluginConfig{EnableWasi: true}
	input := make([]byte, 100)
	for i := range input {
		input[i] = 'x'
	}
	json := []byte(`{"name":"Ada","tags":["a","b","c"],"n":42,"nested":{"ok":true}}`)
	call := func(p *extism.Plugin, fn string, in []byte) {
		_, _, err := p.Call(fn, in)
		must(err)
	}

	echo, err := extism.NewPlugin(ctx, manifest("cpp_test"), config, nil)
	must(err)
	fmt.Printf("ROW plain_echo %.0f\n", measure(budget, func() { call(echo, "echo", input) }))

	gop, err := extism.NewPlugin(ctx, manifest("go_test"), config, nil)
	must(err)
	fmt.Printf("ROW go_json_echo %.0f\n", measure(budget, func() { call(gop, "json_echo", json) }))

	compiled, err := extism.NewCompiledPlugin(ctx, manifest("cpp_test"), config, nil)
	must(err)
	fmt.Printf("ROW instantiate_call %.0f\n", measure(budget, func() {
		p, err := compiled.Instance(ctx, extism.PluginInstanceConfig{})
		must(err)
		call(p, "echo", input)
		p.Close(ctx)
	}))

	echoFn := func(ctx context.Context, p *extism.CurrentPlugin, stack []uint64) {
		in, err := p.ReadBytes(stack[0])
		must(err)
		out, err := p.WriteBytes(in)
		must(err)
		stack[0] = out
	}
	hostEcho := extism.NewHostFunctionWithStack("host_echo", echoFn, []extism.ValueType{extism.ValueTypePTR},
		[]extism.ValueType{extism.ValueTypePTR})
	hostEcho.SetNamespace("extism:host/user")
	reenter := extism.NewHostFunctionWithStack("reenter", echoFn, []extism.ValueType{extism.ValueTypePTR},
		[]extism.ValueType{extism.ValueTypePTR})
	reenter.SetNamespace("extism:host/user")
	host, err := extism.NewPlugin(ctx, manifest("cpp_host_user"), config, []extism.HostFunction{hostEcho, reenter})
	must(err)
	fmt.Printf("ROW host_call %.0f\n", measure(budget, func() { call(host, "call_host", input) }))
}
