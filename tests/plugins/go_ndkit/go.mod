module pier.test/ndkit

go 1.25

require github.com/navidrome/navidrome/plugins/pdk/go v0.0.0-20260711131814-be10f89c1179

require github.com/extism/go-pdk v1.1.3 // indirect
