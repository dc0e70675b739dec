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
ctnn_add_compile_fail_test(reflect_not_included SOURCE ${cf}/reflect_not_included.cpp
                           EXPECT "<ctnn/core/reflect.hpp> is not included.*declared_with_BOOST_HANA_DEFINE_STRUCT<Scale>::but_ctnn_reflect_hpp_is_not_included")
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
ctnn_add_compile_fail_test(embedded_name SOURCE ${cf}/embedded_name.cpp
  EXPECT "embedded_slot_name<.*bias_ih_l0.*>::is_not_a_child_of<.*Recurrent<")
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
# Normalisation layers: groups that do not divide the channels, an empty normalised shape, and
# channel counts that disagree (the Sequential and forward diagnostics name the layer).
ctnn_add_compile_fail_test(norm_groups_divide SOURCE ${cf}/norm_groups_divide.cpp
  EXPECT "num_channels must be divisible by num_groups.*group_norm_num_groups<3>::divides_num_channels<8>")
ctnn_add_compile_fail_test(norm_layernorm_shape SOURCE ${cf}/norm_layernorm_shape.cpp
  EXPECT "every dimension of normalized_shape must be positive.*normalized_shape<4, 0>::has_positive_dimensions<false>")
ctnn_add_compile_fail_test(norm_batchnorm_channels SOURCE ${cf}/norm_batchnorm_channels.cpp
  EXPECT "adjacent layers disagree.*layer<1, ctnn::BasicBatchNorm<1, 8[^>]*> ?>::expects_input_features<8>::but_layer<0, ctnn::Linear<4, 6[^>]*> ?>::produces<6>")
ctnn_add_compile_fail_test(norm_batchnorm2d_input SOURCE ${cf}/norm_batchnorm2d_input.cpp
  EXPECT "does not fit the first layer.*layer<0, ctnn::BasicBatchNorm<2, 8[^>]*> ?>::expects_input_shape<8, 5, 5>::but_the_network_input_shape_is<4, 5, 5>")
ctnn_add_compile_fail_test(norm_forward_rows SOURCE ${cf}/norm_forward_rows.cpp
  EXPECT "forward was given an input with the wrong number of features.*forward_of<ctnn::BasicBatchNorm<1, 4[^>]*> ?>::expects_input_features<4>::but_was_given<6>")
# Pooling and PReLU: each invalid configuration names the layer and its numbers (kernel,
# stride, padding, dilation, the padded input; h, w for a 2-D layer).
ctnn_add_compile_fail_test(pool_padding_half_kernel SOURCE ${cf}/pool_padding_half_kernel.cpp
  EXPECT "padding must be at most half its kernel_size.*pool_of<(ctnn::detail::)?pool_name::MaxPool1d>::kernel_size<3>::padding<2>::is_at_most_half_the_kernel_size<false>")
ctnn_add_compile_fail_test(pool_kernel_larger SOURCE ${cf}/pool_kernel_larger.cpp
  EXPECT "kernel \\(dilated\\) is larger than its padded input.*pool_of<(ctnn::detail::)?pool_name::MaxPool2d>::kernel_size<5, 5>::dilated<5, 5>::padded_input_size<4, 4>::holds_the_kernel<false>")
ctnn_add_compile_fail_test(pool_kernel_dilated_larger SOURCE ${cf}/pool_kernel_dilated_larger.cpp
  EXPECT "kernel \\(dilated\\) is larger than its padded input.*pool_of<(ctnn::detail::)?pool_name::MaxPool1d>::kernel_size<3>::dilated<9>::padded_input_size<8>::holds_the_kernel<false>")
ctnn_add_compile_fail_test(pool_stride_negative SOURCE ${cf}/pool_stride_negative.cpp
  EXPECT "stride must be positive.*pool_of<(ctnn::detail::)?pool_name::AvgPool2d>::stride<1, -1>::is_positive<false>")
ctnn_add_compile_fail_test(pool_kernel_zero SOURCE ${cf}/pool_kernel_zero.cpp
  EXPECT "kernel_size must be positive.*pool_of<(ctnn::detail::)?pool_name::MaxPool1d>::kernel_size<0>::is_positive<false>")
ctnn_add_compile_fail_test(pool_dilation_zero SOURCE ${cf}/pool_dilation_zero.cpp
  EXPECT "dilation must be positive.*pool_of<(ctnn::detail::)?pool_name::MaxPool2d>::dilation<0, 1>::is_positive<false>")
ctnn_add_compile_fail_test(pool_padding_negative SOURCE ${cf}/pool_padding_negative.cpp
  EXPECT "padding must not be negative.*pool_of<(ctnn::detail::)?pool_name::AvgPool1d>::padding<-1>::is_not_negative<false>")
ctnn_add_compile_fail_test(avgpool_dilation SOURCE ${cf}/avgpool_dilation.cpp
  EXPECT "have no dilation, as in PyTorch.*pool_of<(ctnn::detail::)?pool_name::AvgPool2d>::dilation<2, 2>::is_1_as_average_pooling_has_no_dilation<false>")
ctnn_add_compile_fail_test(avgpool1d_divisor SOURCE ${cf}/avgpool1d_divisor.cpp
  EXPECT "divisor_override is AvgPool2d's only.*pool_of<(ctnn::detail::)?pool_name::AvgPool1d>::divisor_override<3>::is_None_as_AvgPool1d_has_no_divisor_override<false>")
ctnn_add_compile_fail_test(pool_1d_two_numbers SOURCE ${cf}/pool_1d_two_numbers.cpp
  EXPECT "a 1-D pooling layer takes one number.*pool_of<(ctnn::detail::)?pool_name::MaxPool1d>::one_dimensional_layer_kernel_size<2, 2>::stride<1, 2>::padding<0, 0>::dilation<1, 1>::are_one_number_each<false>")
ctnn_add_compile_fail_test(adaptive_output_zero SOURCE ${cf}/adaptive_output_zero.cpp
  EXPECT "output_size must be positive: an output of length 0.*pool_of<(ctnn::detail::)?pool_name::AdaptiveAvgPool2d>::output_size<0, 3>::is_positive<false>")
ctnn_add_compile_fail_test(pool_unbound SOURCE ${cf}/pool_unbound.cpp
  EXPECT "computes on a known sample shape.*pool_of<(ctnn::detail::)?pool_name::MaxPool1d>::knows_its_input_shape<false>")
ctnn_add_compile_fail_test(pool_input_rows SOURCE ${cf}/pool_input_rows.cpp
  EXPECT "forward was given an input with the wrong number of features.*forward_of<(ctnn::detail::)?pool_of<(ctnn::detail::)?pool_name::MaxPool1d> ?>::expects_input_features<8>::but_was_given<10>")
ctnn_add_compile_fail_test(prelu_channels SOURCE ${cf}/prelu_channels.cpp
  EXPECT "does not fit the first layer.*layer<0, (ctnn::)?PReLU<4[^>]*> ?>::expects_input_shape<4, 10>::but_the_network_input_shape_is<3, 10>")
ctnn_add_compile_fail_test(prelu_rows SOURCE ${cf}/prelu_rows.cpp
  EXPECT "the input's rows are not N channels of equal size.*prelu_with_num_parameters<4>::divides_the_input_rows<10>")
# Streaming (docs/concepts.md#streaming): asking a network for a step names the first layer that
# cannot stream and why (its own reason when it gives one), or the two layers whose features per
# time step disagree.
ctnn_add_compile_fail_test(stream_no_step SOURCE ${cf}/stream_no_step.cpp
  EXPECT "a layer cannot stream.*streamed_layer<1, ToyConv<4, 2> ?>::cannot_stream_because<ctnn::detail::it_keeps_no_state_and_its_forward_does_not_map_one_time_step_of_features_to_one<50> ?>::streams<false>")
ctnn_add_compile_fail_test(stream_layer_reason SOURCE ${cf}/stream_layer_reason.cpp
  EXPECT "a layer cannot stream.*streamed_layer<1, PaddedToyConv<4, 2> ?>::cannot_stream_because<only_a_causal_ToyConv_keeps_its_past_inputs>::streams<false>")
ctnn_add_compile_fail_test(stream_step_width SOURCE ${cf}/stream_step_width.cpp
  EXPECT "disagree on the number of features per time step.*streamed_layer<1, Steps3>::takes_features_per_step<3>::but_layer<0, ctnn::Linear<2, 4[^>]*> ?>::gives<4>")
# Convolutions (layers/conv.hpp): each invalid configuration names the layer and the numbers.
ctnn_add_compile_fail_test(conv_kernel_larger SOURCE ${cf}/conv_kernel_larger.cpp
  EXPECT "kernel \\(dilated\\) is larger than its padded input length.*conv_layer<ctnn::Conv1d<1, 2, 7[^>]*> ?>::kernel_size<7>::dilated<7>::fits_in_the_padded_input_length<5>")
ctnn_add_compile_fail_test(conv_groups_in SOURCE ${cf}/conv_groups_in.cpp
  EXPECT "groups must divide its in channels.*conv_layer<ctnn::Conv1d<3, 4, 3[^>]*> ?>::groups<2>::divide_the_in_channels<3>")
ctnn_add_compile_fail_test(conv_groups_out SOURCE ${cf}/conv_groups_out.cpp
  EXPECT "groups must divide its out channels.*conv_layer<ctnn::Conv2d<4, 3[^>]*> ?>::groups<2>::divide_the_out_channels<3>")
ctnn_add_compile_fail_test(conv_zero_stride SOURCE ${cf}/conv_zero_stride.cpp
  EXPECT "stride must be positive.*conv_layer<ctnn::Conv1d<1, 4, 3[^>]*> ?>::stride<0, 0>::is_positive")
ctnn_add_compile_fail_test(conv_same_stride SOURCE ${cf}/conv_same_stride.cpp
  EXPECT "padding ctnn::same needs stride 1.*conv_layer<ctnn::Conv1d<1, 4, 3[^>]*> ?>::padding_same_with_stride<2, 2>::needs_stride_one")
ctnn_add_compile_fail_test(conv_empty_output SOURCE ${cf}/conv_empty_output.cpp
  EXPECT "transposed convolution's output would be empty.*conv_layer<ctnn::ConvTranspose1d<2, 2, 3[^>]*> ?>::output_length<1, -2>::is_positive")
ctnn_add_compile_fail_test(conv2d_causal SOURCE ${cf}/conv2d_causal.cpp
  EXPECT "padding ctnn::causal is for Conv1d only.*conv_layer<ctnn::Conv2d<1, 4[^>]*> ?>::is_two_dimensional_but_has_causal_padding<true>")
ctnn_add_compile_fail_test(conv1d_two_numbers SOURCE ${cf}/conv1d_two_numbers.cpp
  EXPECT "1-D convolution's stride is one number, not two different ones.*conv_layer<ctnn::Conv1d<1, 4, 3[^>]*> ?>::one_dimensional_option_has_two_numbers<1, 2>::that_agree")
ctnn_add_compile_fail_test(conv_output_padding SOURCE ${cf}/conv_output_padding.cpp
  EXPECT "output_padding must be smaller than its stride or its dilation.*output_padding<2, 2, 1>::is_smaller_than_stride_or_dilation")
ctnn_add_compile_fail_test(conv_reflect_padding SOURCE ${cf}/conv_reflect_padding.cpp
  EXPECT "reflect padding must be smaller than the input length.*padding<3>::is_smaller_than_the_input_length_for_reflect<3>")
ctnn_add_compile_fail_test(conv_circular_padding SOURCE ${cf}/conv_circular_padding.cpp
  EXPECT "circular padding must be at most the input length.*padding<4>::is_at_most_the_input_length_for_circular<3>")
# Recurrent layers (issue 13).
ctnn_add_compile_fail_test(recurrent_step_bidirectional SOURCE ${cf}/recurrent_step_bidirectional.cpp
  EXPECT "a bidirectional layer cannot stream")
ctnn_add_compile_fail_test(recurrent_nonlinearity SOURCE ${cf}/recurrent_nonlinearity.cpp
  EXPECT "nonlinearity is an option of ctnn::RNN only")
ctnn_add_compile_fail_test(recurrent_num_layers SOURCE ${cf}/recurrent_num_layers.cpp
  EXPECT "num_layers must be at least 1")
ctnn_add_compile_fail_test(recurrent_forward_rows SOURCE ${cf}/recurrent_forward_rows.cpp
  EXPECT "x must have T \\* In rows")
ctnn_add_compile_fail_test(recurrent_state_arity SOURCE ${cf}/recurrent_state_arity.cpp
  EXPECT "ctnn::LSTM::set_initial_state takes \\(h0, c0\\)")
ctnn_add_compile_fail_test(recurrent_sizes SOURCE ${cf}/recurrent_sizes.cpp
  EXPECT "In and Hidden must be positive")
ctnn_add_compile_fail_test(recurrent_step_rows SOURCE ${cf}/recurrent_step_rows.cpp
  EXPECT "x must have In rows")
