# One diagnostic per file; each source compiles as-is and fails with CTNN_SHOULD_FAIL defined.
set(cf ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail)
# The harness itself: the ok twin compiles, the ko twin is not C++.
ctnn_add_compile_fail_test(sanity SOURCE ${cf}/sanity.cpp EXPECT "this_is_not_cpp")

# Shapes (docs/errors.md): each message names the layers or the model, and both widths.
ctnn_add_compile_fail_test(adjacent_linear_widths SOURCE ${cf}/adjacent_linear_widths.cpp
  EXPECT "layer<1, ctnn::Linear<64, 1[^>]*> ?>::expects_input_features<64>::but_layer<0, ctnn::Linear<8, 128[^>]*> ?>::produces<128>")
ctnn_add_compile_fail_test(polymorphic_between SOURCE ${cf}/polymorphic_between.cpp
  EXPECT "layer<2, ctnn::Linear<64, 1[^>]*> ?>::expects_input_features<64>::but_layer<1, ctnn::ReLU>::produces<128>")
ctnn_add_compile_fail_test(forward_input_width SOURCE ${cf}/forward_input_width.cpp
  EXPECT "forward was given an input with the wrong number of features.*expects_input_features<8>::but_was_given<7>")
ctnn_add_compile_fail_test(backward_gradient_width SOURCE ${cf}/backward_gradient_width.cpp
  EXPECT "backward was given a gradient with the wrong number of features.*expects_gradient_features<2>::but_was_given<3>")
ctnn_add_compile_fail_test(linear_input_width SOURCE ${cf}/linear_input_width.cpp
  EXPECT "forward_of<ctnn::Linear<5, 3[^>]*> ?>::expects_input_features<5>::but_was_given<4>")
ctnn_add_compile_fail_test(input_scalar_type SOURCE ${cf}/input_scalar_type.cpp
  EXPECT "scalar type differs from the model's.*forward_expects_scalar<.*float, double>::but_was_given<double>")
ctnn_add_compile_fail_test(not_a_layer SOURCE ${cf}/not_a_layer.cpp
  EXPECT "every argument must be a layer; the one the note names has no shape rule.*argument<1, NotALayer>::has_in_features_and_out_features<false>")
# Shapes of samples with several dimensions: both layers and both shapes, a hint where one
# applies, and the input shape named once with ctnn::with_input.
ctnn_add_compile_fail_test(shape_flatten_hint SOURCE ${cf}/shape_flatten_hint.cpp
  EXPECT "insert ctnn::Flatten.*layer<1, ctnn::Linear<40, 10[^>]*> ?>::expects_input_shape<40>::but_layer<0, ctnn::Unflatten<4, 10> ?>::produces_shape<4, 10>")
ctnn_add_compile_fail_test(shape_channels SOURCE ${cf}/shape_channels.cpp
  EXPECT "does not take the shape the layer before it produces.*layer<2, ToyConv<4, 2> ?>::expects_input_shape<4, 50>::but_layer<1, ctnn::ReLU>::produces_shape<8, 50>")
ctnn_add_compile_fail_test(input_shape_missing SOURCE ${cf}/input_shape_missing.cpp
  EXPECT "give the network's input shape with ctnn::with_input.*layer<0, ToyConv<1, 8> ?>::needs_to_know_its_input_shape_but_it_is_known<false>")
ctnn_add_compile_fail_test(lazy_linear_unknown SOURCE ${cf}/lazy_linear_unknown.cpp
  EXPECT "give the network's input shape with ctnn::with_input.*layer<1, ctnn::Linear<0, 4[^>]*> ?>::needs_to_know_its_input_shape_but_it_is_known<false>")
ctnn_add_compile_fail_test(input_shape_mismatch SOURCE ${cf}/input_shape_mismatch.cpp
  EXPECT "does not fit the first layer.*layer<0, ctnn::Linear<4, 2[^>]*> ?>::expects_input_shape<4>::but_the_network_input_shape_is<3, 5>")
ctnn_add_compile_fail_test(shared_not_earlier SOURCE ${cf}/shared_not_earlier.cpp
  EXPECT "must be the index of an earlier layer.*shared_at_position<2>::names_an_earlier_layer<3>")
# Containers: a Residual's body must give back its input's shape; a Concat's branches all take
# its input and agree on every dimension but the channels.
ctnn_add_compile_fail_test(residual_shape SOURCE ${cf}/residual_shape.cpp
  EXPECT "body's output shape must equal its input shape.*residual_body<ctnn::Linear<4, 8[^>]*> ?, ctnn::ReLU, ctnn::Linear<8, 5[^>]*> ?>::takes_shape<4>::but_produces_shape<5>")
ctnn_add_compile_fail_test(concat_shapes SOURCE ${cf}/concat_shapes.cpp
  EXPECT "must agree on every dimension but the first.*concat_branch<1, ctnn::Linear<6, 6[^>]*> ?>::produces_shape<3, 6>::but_branch<0, ToyConv<3, 4> ?>::produces<4, 4>")
ctnn_add_compile_fail_test(concat_input SOURCE ${cf}/concat_input.cpp
  EXPECT "a branch does not take its shape.*concat_branch<1, ctnn::Linear<5, 3[^>]*> ?>::expects_input_shape<5>::but_the_input_shape_is<4>")
# Custom layers (issue 3): a member of a custom model (ctnn::Cached<L>) missing a part of the
# Layer concept is one error naming the layer and the part.
ctnn_add_compile_fail_test(layer_missing_forward SOURCE ${cf}/layer_missing_forward.cpp
                           EXPECT "has no forward\\(x\\).*argument<1, NoForward>::has_forward_x<false>")
ctnn_add_compile_fail_test(layer_missing_backward SOURCE ${cf}/layer_missing_backward.cpp
                           EXPECT "has no backward\\(x, y, grad_y\\).*argument<1, NoBackward>::has_backward_x_y_grad_y<false>")
ctnn_add_compile_fail_test(layer_missing_shape_rule SOURCE ${cf}/layer_missing_shape_rule.cpp
                           EXPECT "it has no shape rule.*cached<NoShapeRule>::has_in_features_and_out_features<false>")
ctnn_add_compile_fail_test(member_outside_reflection SOURCE ${cf}/member_outside_reflection.cpp
                           EXPECT "declares a Parameter or Buffer outside the macro.*reflected_struct<Scale>::declares_parameters_and_buffers<2>::but_reflects_only<1>")
ctnn_add_compile_fail_test(with_scalar_missing SOURCE ${cf}/with_scalar_missing.cpp
                           EXPECT "would keep its scalar type.*layer_with_parameters_in_another_scalar<Shift<(float)?> ?>::has_no_with_scalar_to_become<double>")
ctnn_add_compile_fail_test(init_fan_of_bias SOURCE ${cf}/init_fan_of_bias.cpp
                           EXPECT "fan in and fan out can not be computed for a tensor with fewer than 2 dimensions.*fans_of_tensor_with_shape<3, 1>::has_two_dimensions<false>")
ctnn_add_compile_fail_test(elementwise_not_generic SOURCE ${cf}/elementwise_not_generic.cpp
                           EXPECT "ctnn::Elementwise<F>: F must also accept ctnn::Dual<S>.*elementwise_function<Softsign>::accepts_dual_numbers<false>")
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
# Schedulers: SequentialLR's milestones are one fewer than its schedulers.
ctnn_add_compile_fail_test(sequential_lr_milestones SOURCE ${cf}/sequential_lr_milestones.cpp
  EXPECT "ctnn::optim::SequentialLR expects one milestone fewer than schedulers")
