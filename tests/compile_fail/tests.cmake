# One diagnostic per file; each source compiles as-is and fails with CTNN_SHOULD_FAIL defined.
set(cf ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail)
# The harness itself: the ok twin compiles, the ko twin is not C++.
ctnn_add_compile_fail_test(sanity SOURCE ${cf}/sanity.cpp EXPECT "this_is_not_cpp")

# Weights compiled in (issue 5): a generated header that does not fit the model type.
ctnn_add_compile_fail_test(embedded_shape SOURCE ${cf}/embedded_shape.cpp
  EXPECT "embedded_tensor<.*0\\.weight.*>::has_shape<2, 3>::but_the_model_slot_has_shape<3, 2>")
ctnn_add_compile_fail_test(embedded_count SOURCE ${cf}/embedded_count.cpp
  EXPECT "embedded_header<3>::holds_tensors_but_the_model_has<4>")
