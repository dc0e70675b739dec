// Losses: value and gradient against PyTorch (tests/reference/data/loss_*.txt) for every
// reduction, in float and double; finite-difference gradient checks in double; run-time errors.
#include <catch2/catch.hpp>
#include <cmath>
#include <ctnn/ctnn.hpp>
#include <string>
#include <vector>

#include "training_reference.hpp"

using namespace ctnn_train_test;
using ctnn::Reduction;
using ctnn::ReductionMode;

namespace {

/// Compares one loss case, Target being the ctnn type of its target (a C x B matrix, or a
/// 1 x B integer row of class indices); Unreduced the type of its Reduction::None value.
template <class S, int C, int B, class Target, class Unreduced, class LMean, class LSum, class LNone>
void check_case(const std::string& name, const LMean& mean, const LSum& sum, const LNone& none) {
  INFO("case " << name << " in " << (std::is_same_v<S, float> ? "float" : "double"));
  const Reference ref = ctnn_test::load_reference(name);
  const double tol = tolerance<S>;
  using Pred = Eigen::Matrix<S, C, B>;
  const Pred x = batch_of<Pred>(ref.tensor("input"));
  const Target t = batch_of<Target>(ref.tensor("target"));

  const S vm = mean(x, t), vs = sum(x, t);
  CHECK(relative_error(vm, ref.tensor("value.mean").values[0]) < tol);
  CHECK(relative_error(vs, ref.tensor("value.sum").values[0]) < tol);
  CHECK(relative_error(mean.grad(x, t), batch_of<Pred>(ref.tensor("grad.mean"))) < tol);
  CHECK(relative_error(sum.grad(x, t), batch_of<Pred>(ref.tensor("grad.sum"))) < tol);

  const auto vn = none(x, t);
  STATIC_REQUIRE(std::is_same_v<std::remove_const_t<decltype(vn)>, Unreduced>);
  CHECK(relative_error(vn, batch_of<Unreduced>(ref.tensor("value.none"))) < tol);
  const Unreduced grad_out = batch_of<Unreduced>(ref.tensor("grad_out.none"));
  CHECK(relative_error(none.grad(x, t, grad_out), batch_of<Pred>(ref.tensor("grad.none"))) < tol);
}

/// An elementwise loss family L<R> on (4, 6) inputs, in both scalars.
template <template <ReductionMode> class L, class... Args>
void check_elementwise(const std::string& name, Args... args) {
  check_case<float, 6, 4, Eigen::Matrix<float, 6, 4>, Eigen::Matrix<float, 6, 4>>(
      name, L<ReductionMode::mean>(Reduction::Mean, args...), L<ReductionMode::sum>(Reduction::Sum, args...),
      L<ReductionMode::none>(Reduction::None, args...));
  check_case<double, 6, 4, Eigen::Matrix<double, 6, 4>, Eigen::Matrix<double, 6, 4>>(
      name, L<ReductionMode::mean>(Reduction::Mean, args...), L<ReductionMode::sum>(Reduction::Sum, args...),
      L<ReductionMode::none>(Reduction::None, args...));
}

/// A loss as a layer with one output (its value), so that ctnn::testing::gradcheck checks
/// loss.grad against finite differences of loss(pred, target).
template <class Loss, class Target>
struct LossAsLayer {
  static constexpr int in_features = ctnn::any;
  static constexpr int out_features = 1;
  Loss loss;
  Target target;
  template <class X>
  Eigen::Matrix<double, 1, 1> forward(const Eigen::MatrixBase<X>& x) const {
    return Eigen::Matrix<double, 1, 1>::Constant(loss(x, target));
  }
  template <class X, class Y, class G>
  typename X::PlainObject backward(const Eigen::MatrixBase<X>& x, const Y&, const Eigen::MatrixBase<G>& g) const {
    return loss.grad(x, target) * g(0, 0);
  }
};

template <class Loss, class Target, class X>
void gradcheck_loss(const Loss& loss, const Target& target, const X& x) {
  LossAsLayer<Loss, Target> layer{loss, target};
  const auto result = ctnn::testing::gradcheck(layer, x);
  INFO(result.message());
  CHECK(result.ok);
}

}  // namespace

TEST_CASE("elementwise losses agree with PyTorch for every reduction") {
  check_elementwise<ctnn::MSELoss>("loss_mse");
  check_elementwise<ctnn::L1Loss>("loss_l1");
  check_elementwise<ctnn::HuberLoss>("loss_huber", 1.0);
  check_elementwise<ctnn::HuberLoss>("loss_huber_0_5", 0.5);
  check_elementwise<ctnn::SmoothL1Loss>("loss_smooth_l1", 1.0);
  check_elementwise<ctnn::SmoothL1Loss>("loss_smooth_l1_0_5", 0.5);
  check_elementwise<ctnn::SmoothL1Loss>("loss_smooth_l1_0", 0.0);
  check_elementwise<ctnn::BCELoss>("loss_bce");
  check_elementwise<ctnn::BCEWithLogitsLoss>("loss_bce_with_logits");
  check_elementwise<ctnn::BCEWithLogitsLoss>("loss_bce_with_logits_large");
  // per-feature weight and pos_weight, as in generate.py
  const std::vector<double> w{0.5, 2.0, 1.0, 1.5, 0.25, 3.0}, pw{1.0, 3.0, 0.5, 2.0, 1.5, 0.75};
  check_elementwise<ctnn::BCELoss>("loss_bce_weight", ctnn::BCELossOptions{w});
  check_elementwise<ctnn::BCEWithLogitsLoss>("loss_bce_with_logits_weight", ctnn::BCEWithLogitsLossOptions{w, pw});
  check_elementwise<ctnn::BCEWithLogitsLoss>("loss_bce_with_logits_pos_weight_large",
                                             ctnn::BCEWithLogitsLossOptions{{}, pw});
}

namespace {
template <class S, int C, int B, class Target = ctnn::ClassIndices<B>>
void check_cross_entropy(const std::string& name, const ctnn::CrossEntropyLossOptions& o = {}) {
  auto with = [&](auto tag) { return ctnn::CrossEntropyLoss<decltype(tag)::mode>(tag, o); };
  check_case<S, C, B, Target, Eigen::Matrix<S, 1, B>>(name, with(Reduction::Mean), with(Reduction::Sum),
                                                      with(Reduction::None));
}
template <class S>
void check_nll(const std::string& name, const std::vector<double>& weight = {}) {
  check_case<S, 4, 5, ctnn::ClassIndices<5>, Eigen::Matrix<S, 1, 5>>(
      name, ctnn::NLLLoss{Reduction::Mean, {.weight = weight}}, ctnn::NLLLoss{Reduction::Sum, {.weight = weight}},
      ctnn::NLLLoss{Reduction::None, {.weight = weight}});
}
const std::vector<double> class_weights{0.5, 2.0, 1.0, 1.5};  // as in generate.py
}  // namespace

TEST_CASE("CrossEntropyLoss and NLLLoss agree with PyTorch for every reduction") {
  check_cross_entropy<float, 4, 5>("loss_cross_entropy");
  check_cross_entropy<double, 4, 5>("loss_cross_entropy");
  check_cross_entropy<float, 4, 5>("loss_cross_entropy_smoothing", {.label_smoothing = 0.1});
  check_cross_entropy<double, 4, 5>("loss_cross_entropy_smoothing", {.label_smoothing = 0.1});
  check_cross_entropy<float, 4, 5>("loss_cross_entropy_ignore", {.label_smoothing = 0.2});
  check_cross_entropy<double, 4, 5>("loss_cross_entropy_ignore", {.label_smoothing = 0.2});
  // logits of magnitude 1e4: log-sum-exp keeps every value finite and exact
  check_cross_entropy<float, 6, 4>("loss_cross_entropy_large", {.label_smoothing = 0.1});
  check_cross_entropy<double, 6, 4>("loss_cross_entropy_large", {.label_smoothing = 0.1});
  // class weights: Mean divides by the weights of the counted samples' classes
  check_cross_entropy<float, 4, 5>("loss_cross_entropy_weight", {.weight = class_weights, .label_smoothing = 0.1});
  check_cross_entropy<double, 4, 5>("loss_cross_entropy_weight", {.weight = class_weights, .label_smoothing = 0.1});
  // class probabilities instead of indices: a floating C x B target
  check_cross_entropy<float, 4, 5, Eigen::Matrix<float, 4, 5>>("loss_cross_entropy_probs", {.label_smoothing = 0.1});
  check_cross_entropy<double, 4, 5, Eigen::Matrix<double, 4, 5>>("loss_cross_entropy_probs", {.label_smoothing = 0.1});
  check_cross_entropy<float, 4, 5, Eigen::Matrix<float, 4, 5>>("loss_cross_entropy_probs_weight",
                                                               {.weight = class_weights, .label_smoothing = 0.1});
  check_cross_entropy<double, 4, 5, Eigen::Matrix<double, 4, 5>>("loss_cross_entropy_probs_weight",
                                                                 {.weight = class_weights, .label_smoothing = 0.1});

  check_nll<float>("loss_nll");
  check_nll<double>("loss_nll");
  check_nll<float>("loss_nll_weight", class_weights);
  check_nll<double>("loss_nll_weight", class_weights);
}

TEST_CASE("every loss passes a finite-difference gradient check in double") {
  ctnn::Generator gen(7);
  Eigen::Matrix<double, 3, 5> x, y, p;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    x.data()[i] = gen.uniform(-2, 2);
    y.data()[i] = gen.uniform(-2, 2);
    p.data()[i] = gen.uniform(0.05, 0.95);  // probabilities for BCELoss, away from 0 and 1
  }
  ctnn::ClassIndices<5> classes{0, 2, 1, 1, 0};
  ctnn::ClassIndices<5> some_ignored{0, -100, 1, 2, -100};
  Eigen::Matrix<double, 3, 5> soft = (y.array().exp().rowwise() / y.array().exp().colwise().sum()).matrix();

  gradcheck_loss(ctnn::MSELoss{}, y, x);
  gradcheck_loss(ctnn::MSELoss{Reduction::Sum}, y, x);
  gradcheck_loss(ctnn::L1Loss{}, y, x);
  gradcheck_loss(ctnn::HuberLoss{0.7}, y, x);
  gradcheck_loss(ctnn::HuberLoss{Reduction::Sum}, y, x);
  gradcheck_loss(ctnn::SmoothL1Loss{0.7}, y, x);
  gradcheck_loss(ctnn::SmoothL1Loss{Reduction::Sum, 0.0}, y, x);
  gradcheck_loss(ctnn::BCELoss{}, p.reverse().eval(), p);
  gradcheck_loss(ctnn::BCEWithLogitsLoss{Reduction::Sum}, p, x);
  gradcheck_loss(ctnn::BCEWithLogitsLoss{Reduction::Mean, {.weight = {0.5, 2, 1}, .pos_weight = {3, 0.5, 1.5}}}, p, x);
  gradcheck_loss(ctnn::BCELoss{Reduction::Sum, {.weight = {0.5, 2, 1}}}, p.reverse().eval(), p);
  gradcheck_loss(ctnn::CrossEntropyLoss{}, classes, x);
  gradcheck_loss(ctnn::CrossEntropyLoss{Reduction::Sum, {.label_smoothing = 0.3}}, classes, x);
  gradcheck_loss(ctnn::CrossEntropyLoss{Reduction::Mean, {.label_smoothing = 0.1}}, some_ignored, x);
  gradcheck_loss(ctnn::CrossEntropyLoss{Reduction::Mean, {.label_smoothing = 0.2}}, soft, x);
  gradcheck_loss(ctnn::NLLLoss{}, some_ignored, x);
  const std::vector<double> w{0.5, 2.0, 1.5};
  gradcheck_loss(ctnn::CrossEntropyLoss{Reduction::Mean, {.weight = w, .label_smoothing = 0.2}}, some_ignored, x);
  gradcheck_loss(ctnn::CrossEntropyLoss{Reduction::Sum, {.weight = w, .label_smoothing = 0.2}}, soft, x);
  gradcheck_loss(ctnn::NLLLoss{Reduction::Mean, {.weight = w}}, some_ignored, x);
}

TEST_CASE("a loss's type carries its reduction") {
  // --8<-- [start:reductions]
  ctnn::MSELoss mean_loss;                        // reduction='mean', the default
  ctnn::MSELoss sum_loss{ctnn::Reduction::Sum};   // reduction='sum'
  ctnn::MSELoss none_loss{ctnn::Reduction::None}; // reduction='none': one loss per element
  Eigen::Matrix<float, 3, 2> pred, target;        // 3 features x 2 samples
  pred << 1, 2, 3, 4, 5, 6;
  target.setZero();
  float m = mean_loss(pred, target);                           // 91 / 6
  float s = sum_loss(pred, target);                            // 91
  Eigen::Matrix<float, 3, 2> each = none_loss(pred, target);   // squares, pred's shape
  Eigen::Matrix<float, 3, 2> g = sum_loss.grad(pred, target);  // 2 (pred - target)
  // --8<-- [end:reductions]
  STATIC_REQUIRE(std::is_same_v<decltype(sum_loss), ctnn::MSELoss<ReductionMode::sum>>);
  STATIC_REQUIRE(std::is_same_v<decltype(mean_loss), ctnn::MSELoss<ReductionMode::mean>>);
  CHECK(m == Approx(91.0f / 6));
  CHECK(s == 91.0f);
  CHECK(each(2, 1) == 36.0f);
  CHECK(g(2, 1) == 12.0f);
  CHECK(ctnn::HuberLoss{0.5}.delta == 0.5);
  STATIC_REQUIRE(ctnn::HuberLoss<>::reduction == ReductionMode::mean);
  STATIC_REQUIRE(ctnn::reduction_name(decltype(ctnn::BCELoss{Reduction::Sum})::reduction) == "sum");
}

TEST_CASE("class indices: a 1 x B integer row of any integer type, checked at run time") {
  Eigen::Matrix<double, 3, 4> logits = Eigen::Matrix<double, 3, 4>::Zero();
  // all logits equal: the loss is log(3) for every sample
  CHECK(ctnn::CrossEntropyLoss{}(logits, ctnn::ClassIndices<4>{0, 1, 2, 0}) == Approx(std::log(3.0)));
  Eigen::Matrix<std::int64_t, 1, 4> longs{0, 1, 2, 0};
  CHECK(ctnn::CrossEntropyLoss{}(logits, longs) == Approx(std::log(3.0)));
  CHECK_THROWS_AS(ctnn::CrossEntropyLoss{}(logits, ctnn::ClassIndices<4>{0, 3, 1, 0}), ctnn::Error);
  CHECK_THROWS_WITH(ctnn::NLLLoss{}(logits, ctnn::ClassIndices<4>{0, -1, 1, 0}),
                    Catch::Contains("target -1 of sample 1 is out of bounds for 3 classes"));
  // a Dynamic batch: the sizes are compared when the loss is called
  Eigen::Matrix<double, 3, Eigen::Dynamic> dyn = Eigen::Matrix<double, 3, Eigen::Dynamic>::Zero(3, 4);
  Eigen::Matrix<int, 1, Eigen::Dynamic> three(1, 3);
  three << 0, 1, 2;
  CHECK_THROWS_WITH(ctnn::CrossEntropyLoss{}(dyn, three), Catch::Contains("3 class indices") && Catch::Contains("4 samples"));
  Eigen::Matrix<double, 3, Eigen::Dynamic> dyn5 = Eigen::Matrix<double, 3, Eigen::Dynamic>::Zero(3, 5);
  CHECK_THROWS_WITH(ctnn::MSELoss{}(dyn, dyn5), Catch::Contains("the target is 3 x 5 but the prediction is 3 x 4"));
}

TEST_CASE("losses reject bad arguments with a sentence") {
  CHECK_THROWS_AS(ctnn::HuberLoss{0.0}, ctnn::Error);
  CHECK_THROWS_AS(ctnn::SmoothL1Loss{-1.0}, ctnn::Error);
  CHECK_THROWS_AS((ctnn::CrossEntropyLoss{Reduction::Mean, {.label_smoothing = 1.5}}), ctnn::Error);
  const Eigen::Matrix<float, 3, 2> logits = Eigen::Matrix<float, 3, 2>::Zero();
  CHECK_THROWS_WITH((ctnn::CrossEntropyLoss{Reduction::Mean, {.weight = {1.0, 2.0}}}(logits, ctnn::ClassIndices<2>{0, 1})),
                    Catch::Contains("weight holds 2 values but the prediction has 3 classes"));
  Eigen::Matrix<float, 2, 2> p, y = Eigen::Matrix<float, 2, 2>::Zero();
  p << 0.5f, 1.5f, 0.2f, 0.1f;
  CHECK_THROWS_WITH(ctnn::BCELoss{}(p, y), Catch::Contains("must be a probability in [0, 1]"));
  CHECK_THROWS_WITH((ctnn::BCEWithLogitsLoss{Reduction::Sum, {.pos_weight = {1.0, 2.0, 3.0}}}(p, y)),
                    Catch::Contains("pos_weight holds 3 values but the prediction has 2 features"));
}

TEST_CASE("losses stay finite for logits of magnitude 1e4") {
  Eigen::Matrix<float, 2, 3> logits;
  logits << 1e4f, -1e4f, 1e4f, -1e4f, 1e4f, 1e4f;
  const ctnn::ClassIndices<3> t{1, 1, 0};
  const float ce = ctnn::CrossEntropyLoss{Reduction::Sum}(logits, t);
  CHECK(ce == Approx(2e4f + std::log(2.0f)));  // 2e4 + 0 + log 2 (a tie)
  CHECK(ctnn::CrossEntropyLoss{Reduction::Sum}.grad(logits, t).allFinite());
  const Eigen::Matrix<float, 2, 3> y = Eigen::Matrix<float, 2, 3>::Constant(1.0f);
  CHECK(std::isfinite(ctnn::BCEWithLogitsLoss{}(logits, y)));
  CHECK(ctnn::BCEWithLogitsLoss{}.grad(logits, y).allFinite());
}
