// Static tests for custom layers and models (issue 3): the Layer concept on the seeds' layers
// and on ctnn's module helpers, reflection counts, widths, with_scalar, summary numbers.
#include <ctnn/ctnn.hpp>

#include "../../examples/seed_layers.hpp"

namespace modules_static {

using namespace ctnn;

// every seed layer and model is a Layer: shape rule, forward, backward
static_assert(Layer<seeds::CenteredLayer>);
static_assert(Layer<seeds::MyLinear<64, 8>>);
static_assert(Layer<seeds::MyLayer<5, 3>>);
static_assert(Layer<seeds::MyLayer<5, 3, false>>);
static_assert(Layer<seeds::StatefulLinear<5, 3>>);  // backward(grad): keeps its own x
static_assert(Layer<seeds::MyNet>);
static_assert(Layer<Dropout> && Layer<Elementwise<Identity>> && Layer<Cached<Linear<2, 3>>>);

// a part missing is visible to requires-expressions (the compile-fail tests pin the words)
struct OnlyShape {
  static constexpr int in_features = 2, out_features = 2;
};
static_assert(HasShapeRule<OnlyShape> && !HasForward<OnlyShape> && !HasBackward<OnlyShape> && !Layer<OnlyShape>);

// widths, chained through custom layers
static_assert(seeds::MyNet::in_features == seeds::D_in && seeds::MyNet::out_features == seeds::D_out);
static_assert(Sequential<seeds::MyLinear<64, 8>, seeds::MyLinear<8, 1>>::in_features == 64);
static_assert(Sequential<seeds::MyLinear<64, 8>, seeds::MyLinear<8, 1>>::out_features == 1);
static_assert(Sequential<Linear<8, 128>, seeds::CenteredLayer, Dropout>::out_features == 128);
static_assert(Chainable<seeds::MyLayer<5, 3>, seeds::CenteredLayer, seeds::MyLinear<3, 2>>);
static_assert(!Chainable<seeds::MyLayer<5, 3>, seeds::MyLinear<4, 2>>);

// reflection: parameters counted once, NoParameter counts nothing, buffers are not parameters
static_assert(parameter_count<seeds::MyLinear<64, 8>> == 64 * 8 + 8);
static_assert(parameter_count<seeds::MyLayer<5, 3>> == 5 * 3 + 5);
static_assert(parameter_count<seeds::MyLayer<5, 3, false>> == 5 * 3);
static_assert(parameter_count<seeds::MyNet> == 20);
static_assert(parameter_count<Sequential<seeds::MyLinear<64, 8>, seeds::MyLinear<8, 1>>> == 64 * 8 + 8 + 8 + 1);
static_assert(parameter_count<Cached<seeds::MyLayer<5, 3>>> == 20);
static_assert(parameter_count<Dropout> == 0 && parameter_count<seeds::CenteredLayer> == 0);
struct WithBuffer {
  static constexpr int in_features = 2, out_features = 2;
  BOOST_HANA_DEFINE_STRUCT(WithBuffer, (Buffer<float, 2>, running), (Parameter<float, 2>, scale));
};
static_assert(parameter_count<WithBuffer> == 2);
static_assert(BufferType<Buffer<float, 2>> && !ParameterType<Buffer<float, 2>> && !BufferType<Parameter<float, 2>>);

// scalar types follow with_scalar through custom layers and Cached
static_assert(std::is_same_v<scalar_of<with_scalar<seeds::MyNet, double>>, double>);
static_assert(std::is_same_v<with_scalar<seeds::MyLayer<5, 3>, double>, seeds::MyLayer<5, 3, true, double>>);
static_assert(std::is_same_v<with_scalar<Cached<seeds::MyLayer<5, 3>>, double>,
                             Cached<seeds::MyLayer<5, 3, true, double>, double>>);

// names print() uses
static_assert(detail::repr_name_of<seeds::CenteredLayer>() == "CenteredLayer");
static_assert(detail::repr_name_of<seeds::MyLayer<5, 3, false, double>>() == "MyLayer");
static_assert(detail::repr_name_of<seeds::MyNet>() == "MyNet");
static_assert(detail::repr_name_of<Cached<seeds::MyLinear<2, 2>>>() == "MyLinear");
static_assert(detail::repr_name_of<Dropout>() == "Dropout");

// fans: PyTorch's (rows, cols) gives fan_in = cols, fan_out = rows
static_assert(init::fans<Parameter<float, 128, 8>>().fan_in == 8);
static_assert(init::fans<Parameter<float, 128, 8>>().fan_out == 128);

// summary: every number a constant
constexpr auto s = summary<Sequential<seeds::MyLinear<64, 8>, seeds::MyLinear<8, 1>>>();
static_assert(s.size() == 3 && s.total_params == 64 * 8 + 8 + 8 + 1);
static_assert(s.flops_per_sample == 2 * (64 * 8 + 8) + 2 * (8 + 1));  // 2 per parameter
static_assert(s.param_bytes == 4 * s.total_params && s.rows[2].out_features == 1);

// summary's memory (issue 6), numbers computed by hand for Linear(8, 16), ReLU, Linear(16, 1)
using Small = Sequential<Linear<8, 16>, ReLU, Linear<16, 1>>;
constexpr auto small = summary<Small, optim::Adam<Small>>();
static_assert(small.activation_values_per_sample == 8 + 16 + 1);  // a_0..a_3 kept for backward, ReLU's in Linear's buffer
static_assert(small.activation_mask_bytes_per_sample == 0 && small.activations_known);
static_assert(small.activation_bytes(1) == 100 && small.activation_bytes(32) == 25 * 32 * 4);
static_assert(small.model_sizeof == sizeof(Small) && small.model_sizeof >= 2 * 161 * 4);  // value and grad inline
static_assert(small.model_heap_bytes == 0 && small.optimizer_heap_bytes == 0);
static_assert(small.optimizer_sizeof == sizeof(optim::Adam<Small>) && small.optimizer_sizeof >= 3 * 161 * 4);
static_assert(small.has_optimizer && small.optimizer.view() == "Adam" && small.optimizer_bytes() == small.optimizer_sizeof);
static_assert(!summary<Small>().has_optimizer && summary<Small>().optimizer_bytes() == 0);
// double: 8 bytes an activation
static_assert(summary<with_scalar<Small, double>>().activation_bytes(32) == 25 * 32 * 8);
// a nested Sequential keeps its own a_0..a_n; Dropout a bool per element; Cached its x and y
static_assert(summary<Sequential<Linear<8, 16>, Dropout, Sequential<Linear<16, 4>, Tanh>>>().activation_values_per_sample ==
              (8 + 16 + 16 + 4) + (16 + 4 + 4));
static_assert(summary<Sequential<Linear<8, 16>, Dropout>>().activation_mask_bytes_per_sample == 16);
static_assert(summary<seeds::MyNet>().activation_values_per_sample == 5 + 3);
// inside a Sequential, Cached<Linear> runs through Linear's forward_into: its caches stay empty
// (and ReLU overwrites Linear's output)
static_assert(summary<Sequential<Cached<Linear<2, 3>>, ReLU>>().activation_values_per_sample == 2 + 3);
// a layer whose backward may read its output keeps it: Tanh, a custom model
static_assert(summary<Sequential<Linear<2, 3>, Tanh, ReLU>>().activation_values_per_sample == 2 + 3 + 3 + 3);
static_assert(summary<Sequential<seeds::MyNet, ReLU>>().activation_values_per_sample == (5 + 3 + 3) + (5 + 3));
// widths only run time knows: unknown, -1
static_assert(!summary<Sequential<ReLU>>().activations_known && summary<Sequential<ReLU>>().activation_bytes(32) == -1);
static_assert(summary<Sequential<Linear<2, 3>, Sequential<ReLU>>>().activation_values_per_sample == (2 + 3 + 3) + (3 + 3));
// past Eigen's stack limit (128 KiB) a weight's elements are on the heap: 1024 x 1024 floats,
// 4 MiB each for value and grad; Adam keeps 3 matrices per parameter, RMSprop 3, SGD and Adagrad 1
using Big = Sequential<Linear<1024, 1024>, ReLU>;
constexpr std::size_t mib4 = 1024 * 1024 * 4;
static_assert(summary<Big>().model_heap_bytes == 2 * mib4);  // the bias (4 KiB) stays inline
static_assert(summary<Big, optim::Adam<Big>>().optimizer_heap_bytes == 3 * mib4);
static_assert(summary<Big, optim::AdamW<Big>>().optimizer_heap_bytes == 3 * mib4);
static_assert(summary<Big, optim::RMSprop<Big>>().optimizer_heap_bytes == 3 * mib4);
static_assert(summary<Big, optim::SGD<Big>>().optimizer_heap_bytes == mib4);
static_assert(summary<Big, optim::Adagrad<Big>>().optimizer_heap_bytes == mib4);

// Parameters and buffers of any rank: PyTorch's shape is shape(), the storage its row-major
// flattening (rows = d0, cols = the product of the rest; 1 x 1 for 0-D)
static_assert(std::is_same_v<TensorParameter<float, 3, 5>, Parameter<float, 3, 5>>);  // today's spellings
static_assert(std::is_same_v<TensorParameter<float, 3>, Parameter<float, 3>>);
static_assert(std::is_same_v<TensorParameter<float, 8, 1>, Parameter<float, 8, 1, 2>>);
static_assert(std::is_same_v<TensorBuffer<float, 2>, Buffer<float, 2>> && std::is_same_v<TensorBuffer<float, 2, 3>, Buffer<float, 2, 3>>);
using Conv2dWeight = TensorParameter<float, 8, 3, 3, 3>;  // nn.Conv2d(3, 8, 3).weight
static_assert(Conv2dWeight::ndim == 4 && Conv2dWeight::shape() == std::array<int, 4>{8, 3, 3, 3});
static_assert(Conv2dWeight::rows == 8 && Conv2dWeight::cols == 27 && Conv2dWeight::size == 216);
static_assert(std::is_same_v<Conv2dWeight::matrix_type, Eigen::Matrix<float, 8, 27>>);
static_assert(std::is_same_v<Conv2dWeight, Parameter<float, 8, 27, 4, 3, 3, 3>>);
using Conv1dWeight = TensorParameter<double, 16, 1, 5>;  // nn.Conv1d(1, 16, 5).weight
static_assert(Conv1dWeight::ndim == 3 && Conv1dWeight::shape() == std::array<int, 3>{16, 1, 5});
static_assert(Conv1dWeight::rows == 16 && Conv1dWeight::cols == 5);
static_assert(ScalarParameter<float>::ndim == 0 && ScalarParameter<float>::shape().empty());
static_assert(ScalarParameter<float>::size == 1 && std::is_same_v<ScalarParameter<float>, Parameter<float, 1, 1, 0>>);
static_assert(ScalarBuffer<std::int64_t>::ndim == 0 && ScalarBuffer<std::int64_t>::persistent);
static_assert(std::is_same_v<ScalarBuffer<std::int64_t>::matrix_type, Eigen::Matrix<std::int64_t, 1, 1>>);
static_assert(TensorBuffer<float, 2, 3, 4>::shape() == std::array<int, 3>{2, 3, 4} && TensorBuffer<float, 2, 3, 4>::cols == 12);
static_assert(!NonPersistentBuffer<float, 2, 4>::persistent && NonPersistentBuffer<float, 2, 4>::shape()[1] == 4);
static_assert(Buffer<float, 2>::persistent && Buffer<float, 2>::ndim == 1 && Buffer<float, 2, 3>::ndim == 2);
static_assert(ParameterType<Conv2dWeight> && ParameterType<ScalarParameter<double>> && !BufferType<Conv2dWeight>);
static_assert(BufferType<NonPersistentBuffer<float, 4>> && !PersistentBufferType<NonPersistentBuffer<float, 4>>);
static_assert(PersistentBufferType<ScalarBuffer<std::int64_t>> && !ParameterType<ScalarBuffer<std::int64_t>>);
// what a Parameter<Scalar, Rows, Cols, Ndim, Inner...> may be (the class asserts this predicate)
static_assert(detail::tensor_layout_valid<8, 27, 4, 3, 3, 3>() && detail::tensor_layout_valid<1, 1, 0>());
static_assert(!detail::tensor_layout_valid<8, 27, 4, 3, 9>() && !detail::tensor_layout_valid<8, 27, 3, 3, 3>());
static_assert(!detail::tensor_layout_valid<2, 1, 0>() && !detail::tensor_layout_valid<8, 27, 2, 27>());
static_assert(!detail::tensor_layout_valid<2, 1, 5, 1, 1, 1, 1>());  // rank 0 to 4
static_assert(!detail::tensor_layout_valid<8, 2, 1>());                // 1-D has one column
// counted, reflected and described by PyTorch's shape
struct Tensors {
  BOOST_HANA_DEFINE_STRUCT(Tensors, (Conv2dWeight, conv2d), (ScalarParameter<float>, temperature),
                           (ScalarBuffer<std::int64_t>, num_batches_tracked), (NonPersistentBuffer<float, 2, 4>, hidden));
};
static_assert(parameter_count<Tensors> == 217);
static_assert(std::is_same_v<detail::parameter_types<Tensors>, std::tuple<Conv2dWeight, ScalarParameter<float>>>);
static_assert(architecture<Tensors> == "Tensors(conv2d=Parameter(8,3,3,3),temperature=Parameter(),num_batches_tracked=Buffer())");
static_assert(embedded_tensor_count<Tensors> == 3);
static_assert(summary<Tensors>().buffer_bytes == 8 && summary<Tensors>().param_bytes == 217 * 4);
// fans as torch.nn.init._calculate_fan_in_and_fan_out: size(1) and size(0) times the receptive field
static_assert(init::fans<Conv2dWeight>().fan_in == 3 * 9 && init::fans<Conv2dWeight>().fan_out == 8 * 9);
static_assert(init::fans<Conv1dWeight>().fan_in == 1 * 5 && init::fans<Conv1dWeight>().fan_out == 16 * 5);
static_assert(init::fans<TensorParameter<float, 8, 1>>().fan_in == 1 && init::fans<TensorParameter<float, 8, 1>>().fan_out == 8);

// the fingerprint of the layer families (issues 12, 13): every size and option that decides the
// parameters or the computation is in it, so that files for another configuration are refused;
// equal configurations, bound to any input length, describe alike
template <class... L>
using OnSignal = with_input<Sequential<L...>, 2, 16>;      // (C, L) = (2, 16)
template <class... L>
using OnImage = with_input<Sequential<L...>, 2, 8, 8>;     // (C, H, W) = (2, 8, 8)
template <class... L>
using OnSequence = with_input<Sequential<L...>, 10, 2>;    // (T, F) = (10, 2)
static_assert(architecture<Conv1d<2, 4, 3>> == "Conv1d(2,4,kernel_size=3)");
static_assert(architecture<OnSignal<Conv1d<2, 4, 3>>> == "Sequential(Conv1d(2,4,kernel_size=3))");
static_assert(architecture<OnSignal<Conv1d<2, 4, 3>>> == architecture<with_input<Sequential<Conv1d<2, 4, 3>>, 2, 20>>);
static_assert(architecture<OnSignal<Conv1d<2, 4, 3>>> != architecture<OnSignal<Conv1d<2, 4, 5>>>);
static_assert(architecture<OnSignal<Conv1d<2, 4, 3>>> != architecture<OnSignal<Conv1d<2, 4, 3, ConvOptions{.padding = 1}>>>);
static_assert(architecture<OnSignal<Conv1d<2, 4, 3, ConvOptions{.stride = 2}>>> !=
              architecture<OnSignal<Conv1d<2, 4, 3, ConvOptions{.dilation = 2}>>>);
static_assert(architecture<Conv1d<2, 4, 3, ConvOptions{.padding = same, .dilation = 3, .groups = 2,
                                                      .bias = false, .padding_mode = PaddingMode::reflect}>> ==
              "Conv1d(2,4,kernel_size=3,padding=same,dilation=3,groups=2,bias=False,padding_mode=reflect)");
static_assert(architecture<Conv1d<2, 4, 3, ConvOptions{.padding = causal}>> == "Conv1d(2,4,kernel_size=3,padding=causal)");
static_assert(architecture<OnImage<Conv2d<2, 4, size2{3, 5}, ConvOptions{.stride = 2, .padding = size2{1, 2}}>>> ==
              "Sequential(Conv2d(2,4,kernel_size=(3,5),stride=(2,2),padding=(1,2)))");
static_assert(architecture<OnImage<Conv2d<2, 4, 3>>> != architecture<OnImage<Conv2d<2, 4, size2{3, 1}>>>);
static_assert(architecture<ConvTranspose1d<2, 4, 3, ConvTransposeOptions{.stride = 2, .output_padding = 1}>> ==
              "ConvTranspose1d(2,4,kernel_size=3,stride=2,output_padding=1)");
static_assert(architecture<OnImage<ConvTranspose2d<2, 4, 3>>> == "Sequential(ConvTranspose2d(2,4,kernel_size=(3,3)))");
static_assert(architecture<OnImage<ConvTranspose2d<2, 4, 3>>> != architecture<OnImage<Conv2d<2, 4, 3>>>);
// pooling: kernel sizes, strides, paddings, output sizes
static_assert(architecture<OnImage<MaxPool2d<2>>> == "Sequential(MaxPool2d(kernel_size=(2,2)))");
static_assert(architecture<OnImage<MaxPool2d<2>>> != architecture<OnImage<MaxPool2d<4>>>);
static_assert(architecture<OnImage<MaxPool2d<2>>> != architecture<OnImage<MaxPool2d<2, PoolOptions{.stride = 1}>>>);
static_assert(architecture<OnImage<MaxPool2d<2>>> == architecture<OnImage<MaxPool2d<2, PoolOptions{.stride = 2}>>>);
static_assert(architecture<OnImage<MaxPool2d<2>>> != architecture<OnImage<AvgPool2d<2>>>);
static_assert(architecture<MaxPool1d<3, PoolOptions{.stride = 2, .padding = 1, .dilation = 2, .ceil_mode = true}>> ==
              "MaxPool1d(kernel_size=3,stride=2,padding=1,dilation=2,ceil_mode=True)");
static_assert(architecture<AvgPool1d<3, PoolOptions{.count_include_pad = false}>> ==
              "AvgPool1d(kernel_size=3,count_include_pad=False)");
static_assert(architecture<AvgPool2d<2, PoolOptions{.divisor_override = 3}>> ==
              "AvgPool2d(kernel_size=(2,2),divisor_override=3)");
static_assert(architecture<OnSignal<AdaptiveAvgPool1d<1>>> != architecture<OnSignal<AdaptiveAvgPool1d<2>>>);
static_assert(architecture<OnSignal<AdaptiveMaxPool1d<1>>> == "Sequential(AdaptiveMaxPool1d(output_size=1))");
static_assert(architecture<AdaptiveAvgPool2d<size2{2, 3}>> == "AdaptiveAvgPool2d(output_size=(2,3))");
static_assert(architecture<AdaptiveMaxPool2d<1>> != architecture<AdaptiveAvgPool2d<1>>);
// normalisations and PReLU: channels, groups, shapes, the options that decide the tensors
static_assert(architecture<OnImage<BatchNorm2d<2>>> == "Sequential(BatchNorm2d(2))");
static_assert(architecture<BatchNorm1d<8>> != architecture<BatchNorm1d<16>>);
static_assert(architecture<BatchNorm2d<8, BatchNormOptions{.affine = false, .track_running_stats = false}>> ==
              "BatchNorm2d(8,affine=False,track_running_stats=False)");
static_assert(architecture<GroupNorm<2, 8>> == "GroupNorm(2,8)" && architecture<GroupNorm<4, 8>> == "GroupNorm(4,8)");
static_assert(architecture<LayerNorm<shape_of<4, 8>, LayerNormOptions{.elementwise_affine = false}>> ==
              "LayerNorm(4,8,elementwise_affine=False)");
static_assert(architecture<LayerNorm<8>> != architecture<LayerNorm<16>>);
static_assert(architecture<PReLU<>> == "PReLU(num_parameters=1)" && architecture<PReLU<8>> == "PReLU(num_parameters=8)");
// recurrent layers: input and hidden sizes, layers, bias, direction, nonlinearity; not T
static_assert(architecture<OnSequence<GRU<2, 8>>> == "Sequential(GRU(2,8))");
static_assert(architecture<OnSequence<GRU<2, 8>>> == architecture<with_input<Sequential<GRU<2, 8>>, 20, 2>>);
static_assert(architecture<OnSequence<GRU<2, 8>>> != architecture<OnSequence<GRU<2, 16>>>);
static_assert(architecture<OnSequence<GRU<2, 8>>> != architecture<OnSequence<LSTM<2, 8>>>);
static_assert(architecture<OnSequence<GRU<2, 8>>> != architecture<OnSequence<RNN<2, 8>>>);
static_assert(architecture<OnSequence<GRU<2, 8>>> != architecture<OnSequence<GRU<2, 8, RNNOptions{.num_layers = 2}>>>);
static_assert(architecture<OnSequence<GRU<2, 8>>> != architecture<OnSequence<GRU<2, 8, RNNOptions{.bidirectional = true}>>>);
static_assert(architecture<LSTM<2, 8, RNNOptions{.num_layers = 3, .bias = false, .bidirectional = true}>> ==
              "LSTM(2,8,num_layers=3,bias=False,bidirectional=True)");
static_assert(architecture<RNN<2, 8, RNNOptions{.nonlinearity = Nonlinearity::relu}>> == "RNN(2,8,nonlinearity=relu)");
static_assert(architecture<OnSequence<GRU<2, 8>, LastStep, Linear<8, 1>>> == "Sequential(GRU(2,8),LastStep(80,8),Linear(8,1))");
// summary walks them: a two-layer GRU's 720 parameters (3 x 8 x (2 + 8 + 2) + 3 x 8 x (8 + 8 + 2))
// and the Linear's 9, BatchNorm2d's buffers (2 x 4 floats and the int64 counter); the type-level walk names a
// recurrent layer's children as its state_dict does
using GruModel = with_input<Sequential<GRU<2, 8, RNNOptions{.num_layers = 2}>, LastStep, Linear<8, 1>>, 6, 2>;
using BnModel = with_input<Sequential<Conv2d<1, 4, 3, ConvOptions{.padding = 1}>, BatchNorm2d<4>, ReLU, MaxPool2d<2>,
                                      Flatten, Linear<64, 3>>,
                           1, 8, 8>;
static_assert(summary<GruModel>().total_params == 720 + 9 && parameter_count<GruModel> == 720 + 9);
static_assert(summary<BnModel>().total_params == 40 + 8 + 195 && summary<BnModel>().buffer_bytes == 40);
static_assert(GRU<2, 8, RNNOptions{.bidirectional = true}>::child_names[6].view() == "bias_ih_l0_reverse");
static_assert(LSTM<2, 8, RNNOptions{.num_layers = 2, .bias = false}>::child_names[3].view() == "weight_hh_l1");

// Dual numbers at compile time
constexpr Dual<double> x{3.0, 1.0};
static_assert((x * x + 2.0 * x).d == 8.0);  // d/dx (x^2 + 2x) at 3
static_assert((1.0 / x).d == -1.0 / 9.0);

}  // namespace modules_static
