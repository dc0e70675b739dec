# One diagnostic per file; each source compiles as-is and fails with CTNN_SHOULD_FAIL defined.
set(cf ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail)
# The harness itself: the ok twin compiles, the ko twin is not C++.
ctnn_add_compile_fail_test(sanity SOURCE ${cf}/sanity.cpp EXPECT "this_is_not_cpp")
