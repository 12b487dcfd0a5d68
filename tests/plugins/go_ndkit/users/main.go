// The Users conformance plugin, on Navidrome's own Go kit: nd_test_users
// (the protocol of the original's test-users plugin: get_users, get_admins).
package main

import (
	"github.com/navidrome/navidrome/plugins/pdk/go/host"

	"pier.test/ndkit/testop"
)

type request struct {
	Operation string `json:"operation"`
}

type response struct {
	testop.Errors
	Users []host.User `json:"users,omitempty"`
}

//go:wasmexport nd_test_users
func ndTestUsers() int32 { return testop.Serve(usersOperation) }

func usersOperation(in request, out *response) (err error) {
	switch in.Operation {
	case "get_users":
		out.Users, err = host.UsersGetUsers()
	case "get_admins":
		out.Users, err = host.UsersGetAdmins()
	default:
		err = testop.Unknown(in.Operation)
	}
	return err
}

func main() {}
