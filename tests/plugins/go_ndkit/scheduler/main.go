// The Scheduler conformance plugin, on Navidrome's own Go kit. Its callback
// logs every firing and reacts to a few payloads by calling the Scheduler
// from inside the callback (as the original's test-scheduler plugin does):
//
//	"schedule-followup"         a one-time schedule "followup-id" in 1 s, payload "followup-created"
//	"schedule-recurring"        a recurring "@every 1s" schedule "recurring-from-plugin"
//	"schedule-duplicate:<id>"   a one-time schedule with that ID (to see the duplicate error)
//	"fail"                      the callback returns an error
//
// nd_test_scheduler lets a test schedule and cancel through the plugin.
package main

import (
	"errors"
	"strings"

	"github.com/navidrome/navidrome/plugins/pdk/go/host"
	"github.com/navidrome/navidrome/plugins/pdk/go/pdk"

	"github.com/navidrome/navidrome/plugins/pdk/go/scheduler"
	"pier.test/ndkit/testop"
)

type plugin struct{}

func (plugin) OnCallback(in scheduler.SchedulerCallbackRequest) error {
	pdk.Log(pdk.LogInfo, "fired "+in.ScheduleID+" payload="+in.Payload+" recurring="+map[bool]string{true: "yes", false: "no"}[in.IsRecurring])
	switch {
	case in.Payload == "schedule-followup":
		_, err := host.SchedulerScheduleOneTime(1, "followup-created", "followup-id")
		return err
	case in.Payload == "schedule-recurring":
		_, err := host.SchedulerScheduleRecurring("@every 1s", "recurring-created", "recurring-from-plugin")
		return err
	case strings.HasPrefix(in.Payload, "schedule-duplicate:"):
		_, err := host.SchedulerScheduleOneTime(60, "duplicate-attempt", strings.TrimPrefix(in.Payload, "schedule-duplicate:"))
		if err != nil {
			pdk.Log(pdk.LogWarn, "duplicate refused: "+err.Error())
		}
		return err
	case in.Payload == "fail":
		return errors.New("callback failed as instructed")
	}
	return nil
}

func init() { scheduler.Register(plugin{}) }

type request struct {
	Operation string `json:"operation"`
	ID        string `json:"id"`
	Cron      string `json:"cron"`
	Delay     int32  `json:"delay"`
	Payload   string `json:"payload"`
}

type response struct {
	testop.Errors
	ID string `json:"id,omitempty"`
}

//go:wasmexport nd_test_scheduler
func ndTestScheduler() int32 { return testop.Serve(schedulerOperation) }

func schedulerOperation(in request, out *response) (err error) {
	switch in.Operation {
	case "one_time":
		out.ID, err = host.SchedulerScheduleOneTime(in.Delay, in.Payload, in.ID)
	case "recurring":
		out.ID, err = host.SchedulerScheduleRecurring(in.Cron, in.Payload, in.ID)
	case "cancel":
		err = host.SchedulerCancelSchedule(in.ID)
	default:
		err = testop.Unknown(in.Operation)
	}
	return err
}

func main() {}
