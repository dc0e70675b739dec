# One diagnostic per file; each source compiles as-is and fails with CTNN_SHOULD_FAIL defined.
set(cf ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail)
# The harness itself: the ok twin compiles, the ko twin is not C++.
ctnn_add_compile_fail_test(sanity SOURCE ${cf}/sanity.cpp EXPECT "this_is_not_cpp")

# Weights compiled in (issue 5): a generated header that does not fit the model type.
ctnn_add_compile_fail_test(embedded_shape SOURCE ${cf}/embedded_shape.cpp
  EXPECT "embedded_tensor<.*0\\.weight.*>::has_shape<2, 3>::but_the_model_slot_has_shape<3, 2>")
ctnn_add_compile_fail_test(embedded_count SOURCE ${cf}/embedded_count.cpp
  EXPECT "embedded_header<3>::holds_tensors_but_the_model_has<4>")
# Losses (issue 4): a target that does not fit the prediction names the loss and both shapes.
ctnn_add_compile_fail_test(loss_target_shape SOURCE ${cf}/loss_target_shape.cpp
  EXPECT "loss_target_of<(ctnn::)?MSELoss<ctnn::ReductionMode::mean> ?>::must_have_the_prediction_shape<3, 4>::but_has<2, 4>")
ctnn_add_compile_fail_test(loss_class_indices SOURCE ${cf}/loss_class_indices.cpp
  EXPECT "loss_target_of<(ctnn::)?CrossEntropyLoss<ctnn::ReductionMode::mean> ?>::must_be_one_class_index_per_sample_of<4>::but_has<1, 5>")
ctnn_add_compile_fail_test(loss_unreduced_grad SOURCE ${cf}/loss_unreduced_grad.cpp
  EXPECT "loss.grad\\(pred, target\\) needs a reduced loss \\(Mean or Sum\\); with Reduction::None call loss.grad\\(pred, target, grad_out\\)")
