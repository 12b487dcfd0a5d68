# Include from a project configured with wasm32-wasi.cmake to build plugins:
#
#   include(/path/to/pier/pdk/cpp/PierPdk.cmake)
#   pier_add_plugin(greeter SOURCES greeter.cc)          # -> greeter.wasm
#   pier_add_plugin(raw SOURCES raw.c NO_PDK NO_LIBC)    # bare Extism ABI
#   pier_add_plugin(cmd SOURCES main.c NO_PDK COMMAND)   # `_start` instead of a reactor
#   pier_add_plugin(dbg SOURCES dbg.cc DEBUG)            # keep DWARF (source lines in backtraces)
get_filename_component(PIER_PDK_DIR "${CMAKE_CURRENT_LIST_DIR}" ABSOLUTE)
get_filename_component(PIER_ROOT_DIR "${PIER_PDK_DIR}/../.." ABSOLUTE)
set(PIER_NLOHMANN_DIR "/usr/include/nlohmann" CACHE PATH "nlohmann/json headers")

# Only nlohmann/ is exposed from the host's /usr/include, never glibc's headers.
set(_pier_pdk_inc "${CMAKE_BINARY_DIR}/pier-pdk-include")
file(MAKE_DIRECTORY "${_pier_pdk_inc}")
if(NOT EXISTS "${_pier_pdk_inc}/nlohmann")
  file(CREATE_LINK "${PIER_NLOHMANN_DIR}" "${_pier_pdk_inc}/nlohmann" SYMBOLIC)
endif()

if(NOT TARGET pier_pdk)
  add_library(pier_pdk STATIC "${PIER_PDK_DIR}/src/pdk.cc" "${PIER_ROOT_DIR}/src/common/status.cc"
    "${PIER_ROOT_DIR}/src/common/vocabulary.cc" "${PIER_ROOT_DIR}/src/common/json.cc" "${PIER_ROOT_DIR}/src/common/url.cc" "${PIER_ROOT_DIR}/src/wire/gojson.cc" "${PIER_ROOT_DIR}/src/wire/types.cc"
    "${PIER_PDK_DIR}/src/generated/host_wasm.cc")
  target_include_directories(pier_pdk SYSTEM PUBLIC "${_pier_pdk_inc}")
  target_include_directories(pier_pdk PUBLIC "${PIER_PDK_DIR}/include" "${PIER_ROOT_DIR}/include")
  target_compile_features(pier_pdk PUBLIC cxx_std_20)
  target_compile_options(pier_pdk PRIVATE -O2)
endif()

function(pier_add_plugin name)
  cmake_parse_arguments(P "NO_PDK;NO_LIBC;COMMAND;DEBUG" "" "SOURCES" ${ARGN})
  add_executable(${name} ${P_SOURCES})
  target_compile_options(${name} PRIVATE -O2)
  if(P_DEBUG)  # keep DWARF: backtraces then name source lines
    target_compile_options(${name} PRIVATE -g)
  endif()
  if(NOT P_NO_PDK)
    target_link_libraries(${name} PRIVATE pier_pdk)
  else()
    target_include_directories(${name} PRIVATE "${PIER_PDK_DIR}/include")
  endif()
  if(P_NO_LIBC)
    target_link_options(${name} PRIVATE -nostdlib -Wl,--no-entry)
  elseif(NOT P_COMMAND)
    target_link_options(${name} PRIVATE -mexec-model=reactor)
  endif()
  if(NOT P_DEBUG)
    target_link_options(${name} PRIVATE -Wl,--strip-debug)
  endif()
  set_target_properties(${name} PROPERTIES SUFFIX ".wasm")
endfunction()
