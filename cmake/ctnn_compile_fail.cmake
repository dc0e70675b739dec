# ctnn_add_compile_fail_test(<name> SOURCE <file> EXPECT <regex>)
# <file> must compile as it is (test compile_fail.<name>.ok) and, with CTNN_SHOULD_FAIL defined,
# must fail to compile printing text that matches <regex> (test compile_fail.<name>.ko).
# PASS_REGULAR_EXPRESSION ignores the exit code, so <regex> must be text only a failure prints.
#
# Each test runs the compiler itself with -fsyntax-only (templates are still instantiated and
# every static_assert evaluated, but no code is generated): no build tree is shared, so the
# tests run in parallel, and each costs a front-end pass only.

# The flags a translation unit using ctnn::ctnn gets: C++20 and the include directories of
# ctnn and of its dependencies.
set(_ctnn_cf_includes ${PROJECT_SOURCE_DIR}/include)
foreach(dep Eigen3::Eigen Boost::headers nlohmann_json::nlohmann_json)
  if(TARGET ${dep})
    get_target_property(dirs ${dep} INTERFACE_INCLUDE_DIRECTORIES)
    if(dirs)
      list(APPEND _ctnn_cf_includes ${dirs})
    endif()
  endif()
endforeach()
set(CTNN_COMPILE_FAIL_FLAGS -std=c++20 -fsyntax-only)
foreach(dir ${_ctnn_cf_includes})
  list(APPEND CTNN_COMPILE_FAIL_FLAGS -I${dir})
endforeach()

function(ctnn_add_compile_fail_test name)
  cmake_parse_arguments(arg "" "SOURCE;EXPECT" "" ${ARGN})
  add_test(NAME compile_fail.${name}.ok COMMAND ${CMAKE_CXX_COMPILER} ${CTNN_COMPILE_FAIL_FLAGS} ${arg_SOURCE})
  add_test(NAME compile_fail.${name}.ko
           COMMAND ${CMAKE_CXX_COMPILER} ${CTNN_COMPILE_FAIL_FLAGS} -DCTNN_SHOULD_FAIL ${arg_SOURCE})
  set_tests_properties(compile_fail.${name}.ok compile_fail.${name}.ko PROPERTIES LABELS compile_fail)
  set_tests_properties(compile_fail.${name}.ko PROPERTIES PASS_REGULAR_EXPRESSION "${arg_EXPECT}")
endfunction()
