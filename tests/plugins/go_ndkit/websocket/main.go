// The WebSocket conformance plugin, on Navidrome's own Go kit. Its callbacks
// log every event and react as the original's test-websocket plugin does: a
// text "echo" is answered with "echo:echo", "close" makes the plugin close
// the connection (1000, "closed by plugin"), "fail" makes the callback fail,
// and binary messages are sent back as they came. nd_test_websocket lets a
// test connect, send and close through the plugin.
package main

import (
	"errors"
	"strconv"

	"github.com/navidrome/navidrome/plugins/pdk/go/host"
	"github.com/navidrome/navidrome/plugins/pdk/go/pdk"

	"github.com/navidrome/navidrome/plugins/pdk/go/websocket"
	"pier.test/ndkit/testop"
)

type plugin struct{}

func (plugin) OnTextMessage(in websocket.OnTextMessageRequest) error {
	pdk.Log(pdk.LogInfo, "text "+in.ConnectionID+": "+in.Message)
	switch in.Message {
	case "echo":
		return host.WebSocketSendText(in.ConnectionID, "echo:echo")
	case "close":
		return host.WebSocketCloseConnection(in.ConnectionID, 1000, "closed by plugin")
	case "fail":
		return errors.New("text callback failed as instructed")
	}
	return nil
}

func (plugin) OnBinaryMessage(in websocket.OnBinaryMessageRequest) error {
	pdk.Log(pdk.LogInfo, "binary "+in.ConnectionID+": "+strconv.Itoa(len(in.Data))+" bytes")
	return host.WebSocketSendBinary(in.ConnectionID, in.Data)
}

func (plugin) OnError(in websocket.OnErrorRequest) error {
	pdk.Log(pdk.LogInfo, "error "+in.ConnectionID+": "+in.Error)
	return nil
}

func (plugin) OnClose(in websocket.OnCloseRequest) error {
	pdk.Log(pdk.LogInfo, "close "+in.ConnectionID+": "+strconv.Itoa(int(in.Code))+" "+in.Reason)
	return nil
}

func init() { websocket.Register(plugin{}) }

type request struct {
	Operation    string            `json:"operation"`
	URL          string            `json:"url"`
	Headers      map[string]string `json:"headers"`
	ConnectionID string            `json:"connectionId"`
	Message      string            `json:"message"`
	Code         int32             `json:"code"`
	Reason       string            `json:"reason"`
}

type response struct {
	testop.Errors
	ConnectionID string `json:"connectionId,omitempty"`
}

//go:wasmexport nd_test_websocket
func ndTestWebSocket() int32 { return testop.Serve(websocketOperation) }

func websocketOperation(in request, out *response) (err error) {
	switch in.Operation {
	case "connect":
		out.ConnectionID, err = host.WebSocketConnect(in.URL, in.Headers, in.ConnectionID)
	case "send":
		err = host.WebSocketSendText(in.ConnectionID, in.Message)
	case "close":
		err = host.WebSocketCloseConnection(in.ConnectionID, in.Code, in.Reason)
	default:
		err = testop.Unknown(in.Operation)
	}
	return err
}

func main() {}
