# `cmake --install`: the `pier` command, one static library (libpier.a: every
# pier_* archive of src/ merged), the Wasmtime archive it needs, the headers
# (include/pier/ public, include/pier-host/ the host's own, include/pier-wasmtime/),
# the C++ plugin kit, and a CMake package (find_package(Pier)). CPack makes a
# .deb of the same tree.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PIER_INSTALL_ARCHIVES pier_common pier_http_client pier_kernel pier_wasi pier_extism pier_runtime pier_wire pier_services
    pier_capabilities pier_schema pier_manifest pier_package pier_service_config pier_sqlite pier_postgres pier_catalog
    pier_service_taskqueue pier_service_kvstore pier_service_cache pier_service_scheduler pier_service_http
    pier_service_websocket pier_service_storage pier_service_subsonicapi pier_manager pier_music pier_config pier_http
    pier_admin pier_metrics pier_dashboard)
set(_pier_mri "CREATE \${_dest}/libpier.a\n")
foreach(_lib IN LISTS PIER_INSTALL_ARCHIVES)
  string(APPEND _pier_mri "ADDLIB $<TARGET_FILE:${_lib}>\n")
endforeach()
string(APPEND _pier_mri "SAVE\nEND\n")
install(CODE "
  set(_dest \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}\")
  file(MAKE_DIRECTORY \"\${_dest}\")
  file(WRITE \"${CMAKE_BINARY_DIR}/pier-merge.mri\" \"${_pier_mri}\")
  execute_process(COMMAND \"${CMAKE_AR}\" -M INPUT_FILE \"${CMAKE_BINARY_DIR}/pier-merge.mri\" RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR \"merging Pier's archives into libpier.a failed\")
  endif()
  # Debug information stays in the build tree (it is most of the archive's size).
  execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug \"\${_dest}/libpier.a\")
  message(STATUS \"Installing: \${_dest}/libpier.a\")
" COMPONENT library)
install(FILES "${PIER_WASMTIME_DIR}/lib/libpier_wasmtime.a" DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library)
install(DIRECTORY "${PIER_WASMTIME_DIR}/include/" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/pier-wasmtime COMPONENT library)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT library)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/src/" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/pier-host COMPONENT library
        FILES_MATCHING PATTERN "*.h" PATTERN "cli" EXCLUDE)

# The plugin kit, laid out as in the tree (share/pier/{pdk/cpp,include,src/common,src/wire}):
# PierPdk.cmake compiles the kit's sources from there for wasm32-wasi.
set(PIER_PDK_INSTALL_DIR "${CMAKE_INSTALL_DATADIR}/pier/pdk/cpp")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/pdk/cpp/" DESTINATION ${PIER_PDK_INSTALL_DIR} COMPONENT library
        PATTERN "mocks" EXCLUDE)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/" DESTINATION ${CMAKE_INSTALL_DATADIR}/pier/include COMPONENT library)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/src/common" "${PROJECT_SOURCE_DIR}/src/wire"
        DESTINATION ${CMAKE_INSTALL_DATADIR}/pier/src COMPONENT library
        FILES_MATCHING PATTERN "*.h" PATTERN "*.cc" PATTERN "*_test.cc" EXCLUDE)

install(TARGETS pier_bin RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT command)

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/PierConfig.cmake.in" "${CMAKE_BINARY_DIR}/PierConfig.cmake"
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Pier
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR PIER_PDK_INSTALL_DIR)
write_basic_package_version_file("${CMAKE_BINARY_DIR}/PierConfigVersion.cmake" COMPATIBILITY SameMinorVersion)
install(FILES "${CMAKE_BINARY_DIR}/PierConfig.cmake" "${CMAKE_BINARY_DIR}/PierConfigVersion.cmake"
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Pier COMPONENT library)

set(CPACK_PACKAGE_NAME "pier")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "Pier <pier@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Host for sandboxed WebAssembly plugins (Extism ABI, Navidrome-compatible)")
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4, libssl3, libsqlite3-0, libre2-9, libzip4, libpq5, libtag1v5, libgraphicsmagick++-q16-12, libspdlog1.10, libfmt9")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
include(CPack)
