// The Artwork conformance plugin, on Navidrome's own Go kit: nd_test_artwork
// builds one artwork URL (the protocol of the original's test-artwork plugin).
package main

import (
	"errors"

	"github.com/navidrome/navidrome/plugins/pdk/go/host"

	"pier.test/ndkit/testop"
)

type request struct {
	ArtworkType string `json:"artwork_type"`
	ID          string `json:"id"`
	Size        int32  `json:"size"`
}

type response struct {
	testop.Errors
	URL string `json:"url,omitempty"`
}

//go:wasmexport nd_test_artwork
func ndTestArtwork() int32 { return testop.Serve(artworkOperation) }

func artworkOperation(in request, out *response) (err error) {
	switch in.ArtworkType {
	case "artist":
		out.URL, err = host.ArtworkGetArtistUrl(in.ID, in.Size)
	case "album":
		out.URL, err = host.ArtworkGetAlbumUrl(in.ID, in.Size)
	case "track":
		out.URL, err = host.ArtworkGetTrackUrl(in.ID, in.Size)
	case "playlist":
		out.URL, err = host.ArtworkGetPlaylistUrl(in.ID, in.Size)
	default:
		err = errors.New("unknown artwork type: " + in.ArtworkType)
	}
	return err
}

func main() {}
