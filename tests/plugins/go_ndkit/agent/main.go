// A MetadataAgent on Navidrome's own Go kit answering every method
// deterministically ("Biography for <name> (<label>)", MBID
// "test-mbid-<name>", `limit` similar artists…). Config: `label` names the
// answers; `error` makes every method fail with that text; `null` = "true"
// answers nothing (not found); `panic` = "true" traps.
package main

import (
	"errors"
	"fmt"

	"github.com/navidrome/navidrome/plugins/pdk/go/metadata"
	"github.com/navidrome/navidrome/plugins/pdk/go/pdk"
	"github.com/navidrome/navidrome/plugins/pdk/go/types"
)

type agent struct{}

func label() string {
	v, _ := pdk.GetConfig("label")
	return v
}

// gate: the configured failure, or whether to answer nothing.
func gate() (bool, error) {
	if v, _ := pdk.GetConfig("panic"); v == "true" {
		panic("agent asked to panic")
	}
	if v, _ := pdk.GetConfig("error"); v != "" {
		return false, errors.New(v)
	}
	v, _ := pdk.GetConfig("null")
	return v == "true", nil
}

func limit(n int32) int {
	if n <= 0 {
		return 5
	}
	return int(n)
}

func (agent) GetArtistMBID(r metadata.ArtistMBIDRequest) (*metadata.ArtistMBIDResponse, error) {
	if none, err := gate(); none || err != nil {
		return nil, err
	}
	return &metadata.ArtistMBIDResponse{MBID: "test-mbid-" + r.Name}, nil
}

func (agent) GetArtistURL(r metadata.ArtistRequest) (*metadata.ArtistURLResponse, error) {
	if none, err := gate(); none || err != nil {
		return nil, err
	}
	return &metadata.ArtistURLResponse{URL: "https://example.test/artist/" + r.Name}, nil
}

func (agent) GetArtistBiography(r metadata.ArtistRequest) (*metadata.ArtistBiographyResponse, error) {
	if none, err := gate(); none || err != nil {
		return nil, err
	}
	return &metadata.ArtistBiographyResponse{Biography: fmt.Sprintf("Biography for %s (%s)", r.Name, label())}, nil
}

func (agent) GetSimilarArtists(r metadata.SimilarArtistsRequest) (*metadata.SimilarArtistsResponse, error) {
	if none, err := gate(); none || err != nil {
		return nil, err
	}
	out := &metadata.SimilarArtistsResponse{}
	for i := 0; i < limit(r.Limit); i++ {
		out.Artists = append(out.Artists, types.ArtistRef{Name: fmt.Sprintf("Similar to %s #%d", r.Name, i+1)})
	}
	return out, nil
}

func (agent) GetArtistImages(r metadata.ArtistRequest) (*metadata.ArtistImagesResponse, error) {
	if none, err := gate(); none || err != nil {
		return nil, err
	}
	return &metadata.ArtistImagesResponse{Images: []metadata.ImageInfo{{URL: "https://example.test/img/" + r.Name, Size: 300}}}, nil
}

// Top songs: the names asked for come back as songs, so the host can resolve them.
func (agent) GetArtistTopSongs(r metadata.TopSongsRequest) (*metadata.TopSongsResponse, error) {
	if none, err := gate(); none || err != nil {
		return nil, err
	}
	return &metadata.TopSongsResponse{Songs: []types.SongRef{
		{Name: "First", Artist: r.Name}, {Name: "Second", Artist: r.Name}, {Name: "Not In The Library", Artist: r.Name}}}, nil
}

func (agent) GetAlbumInfo(r metadata.AlbumRequest) (*metadata.AlbumInfoResponse, error) {
	if none, err := gate(); none || err != nil {
		return nil, err
	}
	return &metadata.AlbumInfoResponse{Name: r.Name, MBID: "test-album-mbid", Description: "About " + r.Name + " by " + r.Artist,
		URL: "https://example.test/album/" + r.Name}, nil
}

func (agent) GetAlbumImages(r metadata.AlbumRequest) (*metadata.AlbumImagesResponse, error) {
	if none, err := gate(); none || err != nil {
		return nil, err
	}
	return &metadata.AlbumImagesResponse{Images: []metadata.ImageInfo{{URL: "https://example.test/cover/" + r.Name, Size: 500}}}, nil
}

func (agent) GetSimilarSongsByTrack(r metadata.SimilarSongsByTrackRequest) (*metadata.SimilarSongsResponse, error) {
	if none, err := gate(); none || err != nil {
		return nil, err
	}
	return &metadata.SimilarSongsResponse{Songs: []types.SongRef{{Name: "Second", Artist: r.Artist}}}, nil
}

func (agent) GetSimilarSongsByAlbum(r metadata.SimilarSongsByAlbumRequest) (*metadata.SimilarSongsResponse, error) {
	if none, err := gate(); none || err != nil {
		return nil, err
	}
	return &metadata.SimilarSongsResponse{Songs: []types.SongRef{{Name: "First", Artist: r.Artist}}}, nil
}

func (agent) GetSimilarSongsByArtist(r metadata.SimilarSongsByArtistRequest) (*metadata.SimilarSongsResponse, error) {
	if none, err := gate(); none || err != nil {
		return nil, err
	}
	return &metadata.SimilarSongsResponse{Songs: []types.SongRef{{Name: "First", Artist: r.Name}}}, nil
}

func init() { metadata.Register(agent{}) }

func main() {}
