# ctnn_add_compile_fail_test(<name> SOURCE <file> EXPECT <regex>)
# <file> must compile as it is (test compile_fail.<name>.ok) and, with CTNN_SHOULD_FAIL defined,
# must fail to compile printing text that matches <regex> (test compile_fail.<name>.ko).
# PASS_REGULAR_EXPRESSION ignores the exit code, so <regex> must be text only a failure prints.
function(ctnn_add_compile_fail_test name)
  cmake_parse_arguments(arg "" "SOURCE;EXPECT" "" ${ARGN})
  foreach(kind ok ko)
    add_executable(cf_${name}_${kind} EXCLUDE_FROM_ALL ${arg_SOURCE})
    target_link_libraries(cf_${name}_${kind} PRIVATE ctnn::ctnn)
    add_test(NAME compile_fail.${name}.${kind}
             COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target cf_${name}_${kind} --config $<CONFIG>)
    set_tests_properties(compile_fail.${name}.${kind} PROPERTIES RESOURCE_LOCK ctnn_build_tree LABELS compile_fail)
  endforeach()
  target_compile_definitions(cf_${name}_ko PRIVATE CTNN_SHOULD_FAIL)
  set_tests_properties(compile_fail.${name}.ko PROPERTIES PASS_REGULAR_EXPRESSION "${arg_EXPECT}")
endfunction()
