// The Library conformance plugin, on Navidrome's own Go kit: nd_test_library
// runs one Library service call or one WASI file operation under a library
// mount (the protocol of the original's test-library plugin: get_library,
// get_all_libraries, read_file, list_dir), plus the writes and escapes a
// hostile plugin would try (write_file, mkdir, remove, symlink, rename),
// each reporting what the host allowed.
package main

import (
	"os"
	"path"

	"github.com/navidrome/navidrome/plugins/pdk/go/host"

	"pier.test/ndkit/testop"
)

type request struct {
	Operation  string `json:"operation"`
	LibraryID  int32  `json:"library_id"`
	MountPoint string `json:"mount_point"`
	FilePath   string `json:"file_path"`
	Content    string `json:"content"`
	Target     string `json:"target"`
}

type response struct {
	testop.Errors
	Library     *host.Library  `json:"library,omitempty"`
	Libraries   []host.Library `json:"libraries,omitempty"`
	FileContent string         `json:"file_content,omitempty"`
	DirEntries  []string       `json:"dir_entries,omitempty"`
}

//go:wasmexport nd_test_library
func ndTestLibrary() int32 { return testop.Serve(libraryOperation) }

func libraryOperation(in request, out *response) (err error) {
	// Joined as text: a path with ".." stays one, for the host to refuse.
	full := in.MountPoint + "/" + in.FilePath
	if in.FilePath == "" {
		full = in.MountPoint
	}
	switch in.Operation {
	case "get_library":
		out.Library, err = host.LibraryGetLibrary(in.LibraryID)
	case "get_all_libraries":
		out.Libraries, err = host.LibraryGetAllLibraries()
	case "read_file":
		var data []byte
		data, err = os.ReadFile(full)
		out.FileContent = string(data)
	case "list_dir":
		var entries []os.DirEntry
		entries, err = os.ReadDir(full)
		for _, e := range entries {
			out.DirEntries = append(out.DirEntries, e.Name())
		}
	case "write_file":
		err = os.WriteFile(full, []byte(in.Content), 0o644)
	case "mkdir":
		err = os.Mkdir(full, 0o755)
	case "remove":
		err = os.Remove(full)
	case "symlink":
		err = os.Symlink(in.Target, full)
	case "rename":
		err = os.Rename(full, path.Join(in.MountPoint, in.Target))
	default:
		err = testop.Unknown(in.Operation)
	}
	return err
}

func main() {}
