// A partial MetadataAgent on Navidrome's own Go kit: only the artist
// biography is implemented; the kit answers -2 (not implemented) for every
// other method it exports.
package main

import (
	"github.com/navidrome/navidrome/plugins/pdk/go/metadata"
)

type partial struct{}

func (partial) GetArtistBiography(r metadata.ArtistRequest) (*metadata.ArtistBiographyResponse, error) {
	return &metadata.ArtistBiographyResponse{Biography: "Partial agent biography for " + r.Name}, nil
}

func init() { metadata.Register(partial{}) }

func main() {}
