// A Matcher plugin on Navidrome's own Go kit: nd_test_matcher resolves the
// given song references against the host's library and reports the tracks
// (null where nothing matched).
package main

import (
	"github.com/navidrome/navidrome/plugins/pdk/go/host"
	"github.com/navidrome/navidrome/plugins/pdk/go/types"

	"pier.test/ndkit/testop"
)

type request struct {
	Songs []types.SongRef   `json:"songs"`
	Opts  host.MatchOptions `json:"opts"`
}

type response struct {
	testop.Errors
	Results []*types.Track `json:"results,omitempty"`
}

//go:wasmexport nd_test_matcher
func ndTestMatcher() int32 { return testop.Serve(matchOperation) }

func matchOperation(in request, out *response) (err error) {
	out.Results, err = host.MatcherMatchSongs(in.Songs, in.Opts)
	return err
}

func main() {}
