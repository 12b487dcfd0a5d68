// The KVStore conformance plugin, on Navidrome's own Go kit: one export,
// nd_test_kvstore, runs one KVStore operation and reports what the host
// answered (the protocol of the original's test-kvstore plugin).
package main

import (
	"github.com/navidrome/navidrome/plugins/pdk/go/host"

	"pier.test/ndkit/testop"
)

type request struct {
	Operation  string   `json:"operation"`
	Key        string   `json:"key"`
	Value      []byte   `json:"value"`
	Prefix     string   `json:"prefix"`
	TTLSeconds int64    `json:"ttl_seconds"`
	Keys       []string `json:"keys"`
}

type response struct {
	testop.Errors
	Value        []byte            `json:"value,omitempty"`
	Values       map[string][]byte `json:"values,omitempty"`
	Exists       bool              `json:"exists,omitempty"`
	Keys         []string          `json:"keys,omitempty"`
	StorageUsed  int64             `json:"storage_used,omitempty"`
	DeletedCount int64             `json:"deleted_count,omitempty"`
}

//go:wasmexport nd_test_kvstore
func ndTestKVStore() int32 { return testop.Serve(kvstoreOperation) }

func kvstoreOperation(in request, out *response) (err error) {
	switch in.Operation {
	case "set":
		err = host.KVStoreSet(in.Key, in.Value)
	case "set_with_ttl":
		err = host.KVStoreSetWithTTL(in.Key, in.Value, in.TTLSeconds)
	case "get":
		out.Value, out.Exists, err = host.KVStoreGet(in.Key)
	case "get_many":
		out.Values, err = host.KVStoreGetMany(in.Keys)
	case "has":
		out.Exists, err = host.KVStoreHas(in.Key)
	case "list":
		out.Keys, err = host.KVStoreList(in.Prefix)
	case "delete":
		err = host.KVStoreDelete(in.Key)
	case "delete_by_prefix":
		out.DeletedCount, err = host.KVStoreDeleteByPrefix(in.Prefix)
	case "get_storage_used":
		out.StorageUsed, err = host.KVStoreGetStorageUsed()
	default:
		err = testop.Unknown(in.Operation)
	}
	return err
}

func main() {}
