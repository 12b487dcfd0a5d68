# pier::wasmtime — the Wasmtime C API static archive and headers published by
# scripts/build-wasmtime.sh (run here at configure time when they are missing).
set(PIER_CACHE_DIR "$ENV{PIER_CACHE_DIR}")
if(NOT PIER_CACHE_DIR)
  set(PIER_CACHE_DIR "$ENV{HOME}/.cache/pier")
endif()
set(PIER_WASMTIME_DIR "${PIER_CACHE_DIR}/wasmtime" CACHE PATH "Wasmtime C API (lib/ + include/)")

set(_wt_lib "${PIER_WASMTIME_DIR}/lib/libpier_wasmtime.a")
set(_wt_inc "${PIER_WASMTIME_DIR}/include")
if(NOT EXISTS "${_wt_lib}" OR NOT EXISTS "${_wt_inc}/wasmtime.hh")
  message(STATUS "Wasmtime C API not found in ${PIER_WASMTIME_DIR}; building it (scripts/build-wasmtime.sh)")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env "PIER_CACHE_DIR=${PIER_CACHE_DIR}" "${PROJECT_SOURCE_DIR}/scripts/build-wasmtime.sh"
    RESULT_VARIABLE _wt_rc)
  if(NOT _wt_rc EQUAL 0)
    message(FATAL_ERROR "building Wasmtime failed (exit ${_wt_rc}); see the output above")
  endif()
endif()

add_library(pier_wasmtime STATIC IMPORTED GLOBAL)
set_target_properties(pier_wasmtime PROPERTIES
  IMPORTED_LOCATION "${_wt_lib}"
  INTERFACE_INCLUDE_DIRECTORIES "${_wt_inc}"
  INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${_wt_inc}"
  INTERFACE_LINK_LIBRARIES "Threads::Threads;dl;m;rt")
add_library(pier::wasmtime ALIAS pier_wasmtime)
