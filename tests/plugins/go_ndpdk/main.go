// A plugin built with Navidrome's own Go plugin kit (from the Go module
// proxy): proof that Pier's generated glue speaks the same wire format as the
// upstream host, not only as its own kit.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/navidrome/navidrome/plugins/pdk/go/host"
	"github.com/navidrome/navidrome/plugins/pdk/go/pdk"
	"github.com/navidrome/navidrome/plugins/pdk/go/taskworker"
)

func check(report map[string]any, name string, err error, ok bool) {
	switch {
	case err != nil:
		report[name] = "error: " + err.Error()
	case !ok:
		report[name] = "unexpected answer"
	default:
		report[name] = "ok"
	}
}

// exercise calls Config, KVStore, Cache and Task through the upstream kit and
// reports each step.
//
//go:wasmexport exercise
func exercise() int32 {
	report := map[string]any{}

	greeting, exists := host.ConfigGet("greeting")
	check(report, "config_get", nil, exists && greeting == "hello from pier")
	n, exists := host.ConfigGetInt("answer")
	check(report, "config_getint", nil, exists && n == 9007199254740993)
	keys := host.ConfigKeys("")
	check(report, "config_keys", nil, len(keys) == 2 && keys[0] == "answer")

	blob := make([]byte, 0, 300)
	for i := 0; i < 300; i++ {
		blob = append(blob, byte(i))
	}
	err := host.KVStoreSet("blob", blob)
	check(report, "kvstore_set", err, true)
	got, found, err := host.KVStoreGet("blob")
	check(report, "kvstore_get", err, found && bytes.Equal(got, blob))
	_, found, err = host.KVStoreGet("missing")
	check(report, "kvstore_get_missing", err, !found)
	many, err := host.KVStoreGetMany([]string{"blob", "missing"})
	check(report, "kvstore_getmany", err, len(many) == 1 && bytes.Equal(many["blob"], blob))
	listed, err := host.KVStoreList("bl")
	check(report, "kvstore_list", err, len(listed) == 1 && listed[0] == "blob")
	deleted, err := host.KVStoreDeleteByPrefix("nothing-")
	check(report, "kvstore_deletebyprefix", err, deleted == 0)

	err = host.CacheSetInt("n", -42, 60)
	check(report, "cache_setint", err, true)
	v, found, err := host.CacheGetInt("n")
	check(report, "cache_getint", err, found && v == -42)
	err = host.CacheSetFloat("f", 2.5, 60)
	check(report, "cache_setfloat", err, true)
	f, found, err := host.CacheGetFloat("f")
	check(report, "cache_getfloat", err, found && f == 2.5)

	err = host.TaskCreateQueue("jobs", host.QueueConfig{Concurrency: 2, MaxRetries: 3})
	check(report, "task_createqueue", err, true)
	id, err := host.TaskEnqueue("jobs", []byte("payload"))
	check(report, "task_enqueue", err, id == "task-1")
	info, err := host.TaskGet(id)
	check(report, "task_get", err, info != nil && info.Status == "pending" && info.Attempt == 0)
	_, err = host.TaskGet("nope")
	report["task_get_error"] = fmt.Sprint(err)

	out, _ := json.Marshal(report)
	pdk.Output(out)
	return 0
}

type worker struct{}

func (worker) OnTaskExecute(req taskworker.TaskExecuteRequest) (string, error) {
	if req.Attempt > 1 {
		return "", fmt.Errorf("attempt %d refused", req.Attempt)
	}
	return fmt.Sprintf("%s/%s/%s/%d", req.QueueName, req.TaskID, string(req.Payload), req.Attempt), nil
}

func init() {
	taskworker.Register(worker{})
}

func main() {}
