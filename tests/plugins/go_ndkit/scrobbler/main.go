// A Scrobbler on Navidrome's own Go kit, for the host's dispatch and retry
// buffer. Config: `authorized` = "false" refuses every user; `error_type`
// (not_authorized, retry_later, unrecoverable, or any other text) makes
// every now-playing and scrobble fail with that kind; `retry_first` = "true"
// answers retry-later to the first delivery of each scrobble and accepts the
// next. Every accepted scrobble and now-playing is counted in the KVStore;
// the `deliveries` export answers the counts ({"scrobble:<user>:<ts>": n, …}).
package main

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/navidrome/navidrome/plugins/pdk/go/host"
	"github.com/navidrome/navidrome/plugins/pdk/go/pdk"
	"github.com/navidrome/navidrome/plugins/pdk/go/scrobbler"
)

type testScrobbler struct{}

func configured(key string) string {
	v, _ := pdk.GetConfig(key)
	return v
}

func failure() error {
	switch kind := configured("error_type"); kind {
	case "":
		return nil
	case "not_authorized":
		return scrobbler.ScrobblerErrorNotAuthorized
	case "retry_later":
		return scrobbler.ScrobblerErrorRetryLater
	case "unrecoverable":
		return scrobbler.ScrobblerErrorUnrecoverable
	default:
		return errors.New(kind)
	}
}

func count(key string) (int, error) {
	raw, _, err := host.KVStoreGet(key)
	if err != nil {
		return 0, err
	}
	n, _ := strconv.Atoi(string(raw))
	n++
	return n, host.KVStoreSet(key, []byte(strconv.Itoa(n)))
}

func (testScrobbler) IsAuthorized(r scrobbler.IsAuthorizedRequest) (bool, error) {
	return configured("authorized") != "false", nil
}

func (testScrobbler) NowPlaying(r scrobbler.NowPlayingRequest) error {
	if err := failure(); err != nil {
		return err
	}
	_, err := count("nowplaying:" + r.Username + ":" + r.Track.ID)
	return err
}

func (testScrobbler) Scrobble(r scrobbler.ScrobbleRequest) error {
	if err := failure(); err != nil {
		return err
	}
	key := r.Username + ":" + strconv.FormatInt(r.Timestamp, 10)
	if configured("retry_first") == "true" {
		tries, err := count("attempt:" + key)
		if err != nil {
			return err
		}
		if tries == 1 {
			return scrobbler.ScrobblerErrorRetryLater
		}
	}
	if _, err := count("scrobble:" + key); err != nil {
		return err
	}
	return host.KVStoreSet("track:"+key, []byte(r.Track.Title+" by "+r.Track.Artist))
}

func (testScrobbler) PlaybackReport(r scrobbler.PlaybackReportRequest) error {
	_, err := count("report:" + r.Username + ":" + r.State)
	return err
}

//go:wasmexport deliveries
func deliveries() int32 {
	out := map[string]string{}
	for _, prefix := range []string{"scrobble:", "nowplaying:", "report:", "track:"} {
		keys, err := host.KVStoreList(prefix)
		if err != nil {
			pdk.SetError(err)
			return 1
		}
		for _, k := range keys {
			v, _, _ := host.KVStoreGet(k)
			out[k] = string(v)
		}
	}
	data, _ := json.Marshal(out)
	pdk.Output(data)
	return 0
}

func init() { scrobbler.Register(testScrobbler{}) }

func main() {}
