# Native examples: applications embedding Pier (pier::pier).
add_executable(embed_music ${PROJECT_SOURCE_DIR}/examples/embed_music/embed_music.cc)
target_include_directories(embed_music PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(embed_music PRIVATE pier::pier)
if(PIER_BUILD_TESTS AND PIER_BUILD_PLUGINS)
  add_dependencies(embed_music package_library_report)
  add_test(NAME example_embed_music COMMAND embed_music ${CMAKE_BINARY_DIR}/packages/library_report.ndp)
  set_tests_properties(example_embed_music PROPERTIES
    PASS_REGULAR_EXPRESSION "report: .*Miles Davis — Kind of Blue.*\ncover: \\{\"url\":\"https://music.example.org/covers/album/a1\\?size=300\"\\}")
endif()
