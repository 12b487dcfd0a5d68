// Package testop is the loop every conformance plugin's test export shares:
// decode the export's JSON input, run one operation, answer with the
// operation's results and, when it failed, its error text in "error" (the
// protocol of the original's test plugins: a failed host call is an answer,
// not a failed export).
package testop

import (
	"errors"

	"github.com/navidrome/navidrome/plugins/pdk/go/pdk"
)

// Errors is embedded in every response: its "error" field carries the error.
type Errors struct {
	Error string `json:"error,omitempty"`
}

func (e *Errors) fail(msg string) { e.Error = msg }

type failer interface{ fail(string) }

// Unknown is the error for an operation a plugin does not know.
func Unknown(operation string) error { return errors.New("unknown operation: " + operation) }

// Serve reads the export's input into a Req, runs `run` on it and writes the
// Resp as the output. Only undecodable input fails the export (exit 1).
func Serve[Req any, Resp any, P interface {
	*Resp
	failer
}](run func(in Req, out P) error) int32 {
	var in Req
	if err := pdk.InputJSON(&in); err != nil {
		pdk.SetError(err)
		return 1
	}
	var out Resp
	if err := run(in, &out); err != nil {
		P(&out).fail(err.Error())
	}
	_ = pdk.OutputJSON(out)
	return 0
}
