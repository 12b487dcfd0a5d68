// The TaskQueue conformance plugin: the protocol of the original host's
// test-taskqueue plugin (spec §7.3), written with Navidrome's own Go kit, so
// Pier's task queues are checked against exactly what upstream plugins send.
package main

import (
	"errors"

	"github.com/navidrome/navidrome/plugins/pdk/go/host"
	"github.com/navidrome/navidrome/plugins/pdk/go/pdk"
	"github.com/navidrome/navidrome/plugins/pdk/go/taskworker"
)

type worker struct{}

// OnTaskExecute: "fail" always fails, "fail-then-succeed" fails its first
// attempt, anything else succeeds.
func (worker) OnTaskExecute(req taskworker.TaskExecuteRequest) (string, error) {
	switch string(req.Payload) {
	case "fail":
		return "", errors.New("task failed as instructed")
	case "fail-then-succeed":
		if req.Attempt < 2 {
			return "", errors.New("transient failure")
		}
	}
	return "completed successfully", nil
}

func init() { taskworker.Register(worker{}) }

type testInput struct {
	Operation string            `json:"operation"`
	QueueName string            `json:"queueName,omitempty"`
	Config    *host.QueueConfig `json:"config,omitempty"`
	Payload   []byte            `json:"payload,omitempty"`
	TaskID    string            `json:"taskId,omitempty"`
}

type testOutput struct {
	TaskID  string `json:"taskId,omitempty"`
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Attempt int32  `json:"attempt,omitempty"`
	Cleared int64  `json:"cleared,omitempty"`
	Error   string `json:"error,omitempty"`
}

//go:wasmexport nd_test_taskqueue
func ndTestTaskqueue() int32 {
	var in testInput
	var out testOutput
	if err := pdk.InputJSON(&in); err != nil {
		out.Error = "reading input: " + err.Error()
		pdk.OutputJSON(out)
		return 0
	}
	var err error
	switch in.Operation {
	case "create_queue":
		config := host.QueueConfig{}
		if in.Config != nil {
			config = *in.Config
		}
		err = host.TaskCreateQueue(in.QueueName, config)
	case "enqueue":
		out.TaskID, err = host.TaskEnqueue(in.QueueName, in.Payload)
	case "get_task_status":
		var info *host.TaskInfo
		info, err = host.TaskGet(in.TaskID)
		if info != nil {
			out.Status, out.Message, out.Attempt = info.Status, info.Message, info.Attempt
		}
	case "cancel_task":
		err = host.TaskCancel(in.TaskID)
	case "clear_queue":
		out.Cleared, err = host.TaskClearQueue(in.QueueName)
	default:
		err = errors.New("unknown operation: " + in.Operation)
	}
	if err != nil {
		out.Error = err.Error()
	}
	pdk.OutputJSON(out)
	return 0
}

func main() {}
