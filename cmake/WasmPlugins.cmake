# Builds the Wasm plugins as part of the normal build:
#  - C/C++ plugins in an external project configured with the wasm32-wasi
#    toolchain (pdk/cpp/wasm32-wasi.cmake);
#  - Go plugins with Go's wasip1 port (-buildmode=c-shared reactors).
# Every plugin lands in ${PIER_PLUGIN_DIR}.
# The plugins do not depend on how the host is compiled, so a sanitizer build
# can use another build tree's (PIER_WASM_BUILD_DIR; scripts/env.sh points the
# sanitizer folders at build/): they are then built once, not once per tree.
# Two trees sharing it must not build at the same time.
include(ExternalProject)
set(PIER_WASM_BUILD_DIR "${CMAKE_BINARY_DIR}" CACHE PATH "Folder the Wasm plugins are built in (a build tree's, to share)")
set(PIER_PLUGIN_DIR "${PIER_WASM_BUILD_DIR}/plugins")
file(MAKE_DIRECTORY "${PIER_PLUGIN_DIR}")

find_program(PIER_CLANG19 clang-19)
if(NOT PIER_CLANG19)
  message(FATAL_ERROR "clang-19 not found: run scripts/setup.sh (or configure with -DPIER_BUILD_PLUGINS=OFF)")
endif()

# pier_wasm_project(name source_dir [plugin...]): the named plugins are
# declared as its products, so rules outside it (packaging) can depend on
# their .wasm files even before the first build made them.
function(pier_wasm_project name source_dir)
  set(_products "")
  foreach(_plugin IN LISTS ARGN)
    list(APPEND _products "${PIER_PLUGIN_DIR}/${_plugin}.wasm")
  endforeach()
  ExternalProject_Add(${name}
    SOURCE_DIR "${source_dir}"
    BINARY_DIR "${PIER_WASM_BUILD_DIR}/${name}"
    CMAKE_GENERATOR "${CMAKE_GENERATOR}"
    CMAKE_ARGS
      -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/pdk/cpp/wasm32-wasi.cmake
      -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_RUNTIME_OUTPUT_DIRECTORY=${PIER_PLUGIN_DIR}
    BUILD_ALWAYS ON
    BUILD_BYPRODUCTS ${_products}
    INSTALL_COMMAND ""
    USES_TERMINAL_BUILD ON)
endfunction()

pier_wasm_project(pier_test_plugins "${PROJECT_SOURCE_DIR}/tests/plugins")
if(PIER_BUILD_EXAMPLES)
  pier_wasm_project(pier_example_plugins "${PROJECT_SOURCE_DIR}/examples" hello scrobble_counter heartbeat library_report
                    liner_notes)
endif()

# Go plugins: one folder with go.mod per plugin.
find_program(PIER_GO go HINTS /usr/local/go/bin)
if(NOT PIER_GO)
  message(FATAL_ERROR "go not found: Go 1.24+ is needed to build the Go test plugins")
endif()
# pier_go_plugin(name dir [package]): builds the main package `package`
# (default ".") of the Go module in `dir`.
function(pier_go_plugin name dir)
  set(_package ".")
  if(ARGC GREATER 2)
    set(_package "${ARGV2}")
  endif()
  file(GLOB_RECURSE _sources "${dir}/*.go")
  list(APPEND _sources "${dir}/go.mod" "${dir}/go.sum")
  add_custom_command(
    OUTPUT "${PIER_PLUGIN_DIR}/${name}.wasm"
    COMMAND ${CMAKE_COMMAND} -E env GOOS=wasip1 GOARCH=wasm GOTOOLCHAIN=local GOFLAGS=-mod=mod
            GONOSUMDB=github.com/navidrome
            ${PIER_GO} build -buildmode=c-shared -trimpath -o "${PIER_PLUGIN_DIR}/${name}.wasm" ${_package}
    WORKING_DIRECTORY "${dir}"
    DEPENDS ${_sources}
    COMMENT "Building Go plugin ${name}.wasm"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS "${PIER_PLUGIN_DIR}/${name}.wasm")
endfunction()
pier_go_plugin(go_test "${PROJECT_SOURCE_DIR}/tests/plugins/go")
# Built with Navidrome's own Go plugin kit (module pinned in go.mod, hash in go.sum).
pier_go_plugin(go_ndpdk "${PROJECT_SOURCE_DIR}/tests/plugins/go_ndpdk")
# The original's test-taskqueue protocol (spec §7.3), on the same upstream kit.
pier_go_plugin(go_taskqueue "${PROJECT_SOURCE_DIR}/tests/plugins/go_taskqueue")
# One plugin per general-purpose service, each on Navidrome's own kit (the protocols of its test plugins).
foreach(_service kvstore cache config scheduler websocket http library users artwork subsonicapi matcher scrobbler
                 agent agent_partial)
  pier_go_plugin(go_nd_${_service} "${PROJECT_SOURCE_DIR}/tests/plugins/go_ndkit" ./${_service})
endforeach()

# Rust plugins on Extism's Rust kit: Debian's Rust toolchain (rustc-web,
# cargo-web) builds the standard library for wasm32-wasip1 from its sources
# (rust-web-src, -Zbuild-std; RUSTC_BOOTSTRAP allows that flag on a stable
# compiler), linked with Debian's wasm-ld and wasi-libc. Crates come from
# crates.io at the versions in Cargo.lock (--locked); the cargo target folder
# lives beside Wasmtime's, outside the clone, so rebuilds are cached.
find_program(PIER_DEBIAN_CARGO cargo PATHS /usr/bin NO_DEFAULT_PATH)
find_program(PIER_DEBIAN_RUSTC rustc PATHS /usr/bin NO_DEFAULT_PATH)
find_program(PIER_WASM_LD wasm-ld-19)
if(NOT PIER_DEBIAN_CARGO OR NOT PIER_DEBIAN_RUSTC OR NOT EXISTS /usr/lib/rustlib/src/rust/library OR NOT PIER_WASM_LD)
  message(FATAL_ERROR "Debian's Rust toolchain for the Rust test plugins is missing (rustc-web, cargo-web, "
                      "rust-web-src, lld-19): run scripts/setup.sh (or configure with -DPIER_BUILD_PLUGINS=OFF)")
endif()
if(DEFINED ENV{PIER_CACHE_DIR})
  set(_pier_rust_target "$ENV{PIER_CACHE_DIR}/rust-plugins")
else()
  set(_pier_rust_target "$ENV{HOME}/.cache/pier/rust-plugins")
endif()
set(_pier_rust_dir "${PROJECT_SOURCE_DIR}/tests/plugins/rust")
# Each plugin is its own crate with its own Cargo.lock: tests/plugins/rust/<dir>
# builds rust_<dir>.wasm.
set(_pier_rust_crates probe nd_kvstore)
file(GLOB_RECURSE _pier_rust_sources "${_pier_rust_dir}/*.rs" "${_pier_rust_dir}/*.toml")
set(_pier_rust_outputs "")
set(_pier_rust_builds "")
set(_pier_rust_locks "")
foreach(_c IN LISTS _pier_rust_crates)
  list(APPEND _pier_rust_outputs "${PIER_PLUGIN_DIR}/rust_${_c}.wasm")
  list(APPEND _pier_rust_locks "${_pier_rust_dir}/${_c}/Cargo.lock")
  list(APPEND _pier_rust_builds
       COMMAND ${CMAKE_COMMAND} -E env RUSTC=${PIER_DEBIAN_RUSTC} RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=${_pier_rust_target}
               CARGO_TARGET_WASM32_WASIP1_LINKER=${PIER_WASM_LD}
               "RUSTFLAGS=-C link-self-contained=no -L /usr/lib/wasm32-wasi"
               ${PIER_DEBIAN_CARGO} build --release --locked --target wasm32-wasip1 -Zbuild-std=std,panic_abort
               --manifest-path "${_pier_rust_dir}/${_c}/Cargo.toml"
       COMMAND ${CMAKE_COMMAND} -E copy "${_pier_rust_target}/wasm32-wasip1/release/rust_${_c}.wasm"
               "${PIER_PLUGIN_DIR}/rust_${_c}.wasm")
endforeach()
add_custom_command(
  OUTPUT ${_pier_rust_outputs}
  ${_pier_rust_builds}
  DEPENDS ${_pier_rust_sources} ${_pier_rust_locks}
  COMMENT "Building the Rust plugins (extism-pdk, wasm32-wasip1)"
  VERBATIM)
add_custom_target(pier_rust_plugins ALL DEPENDS ${_pier_rust_outputs})

add_custom_target(pier_plugins ALL)
add_dependencies(pier_plugins pier_test_plugins pier_rust_plugins go_test go_ndpdk go_taskqueue go_nd_kvstore go_nd_cache go_nd_config
                               go_nd_scheduler go_nd_websocket go_nd_http go_nd_library go_nd_users go_nd_artwork
                               go_nd_subsonicapi go_nd_matcher go_nd_scrobbler go_nd_agent go_nd_agent_partial)
if(PIER_BUILD_EXAMPLES)
  add_dependencies(pier_plugins pier_example_plugins)
endif()

# Example packages (.ndp): manifest.json + plugin.wasm at the archive root.
if(PIER_BUILD_EXAMPLES)
  set(PIER_PACKAGE_DIR "${CMAKE_BINARY_DIR}/packages")
  function(pier_example_package id)
    set(stage "${CMAKE_BINARY_DIR}/package-stage/${id}")
    file(MAKE_DIRECTORY "${stage}" "${PIER_PACKAGE_DIR}")
    add_custom_command(
      OUTPUT "${PIER_PACKAGE_DIR}/${id}.ndp"
      COMMAND ${CMAKE_COMMAND} -E make_directory "${stage}" "${PIER_PACKAGE_DIR}"
      COMMAND ${CMAKE_COMMAND} -E copy "${PROJECT_SOURCE_DIR}/examples/${id}/manifest.json" "${stage}/manifest.json"
      COMMAND ${CMAKE_COMMAND} -E copy "${PIER_PLUGIN_DIR}/${id}.wasm" "${stage}/plugin.wasm"
      COMMAND ${CMAKE_COMMAND} -E tar cf "${PIER_PACKAGE_DIR}/${id}.ndp" --format=zip manifest.json plugin.wasm
      WORKING_DIRECTORY "${stage}"
      DEPENDS pier_example_plugins "${PROJECT_SOURCE_DIR}/examples/${id}/manifest.json" "${PIER_PLUGIN_DIR}/${id}.wasm"
      COMMENT "Packaging ${id}.ndp"
      VERBATIM)
    add_custom_target(package_${id} ALL DEPENDS "${PIER_PACKAGE_DIR}/${id}.ndp")
  endfunction()
  pier_example_package(hello)
  pier_example_package(scrobble_counter)
  pier_example_package(heartbeat)
  pier_example_package(library_report)
  pier_example_package(liner_notes)
endif()
