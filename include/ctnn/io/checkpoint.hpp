/// @file Defines ctnn::save_checkpoint and ctnn::load_checkpoint: everything training needs to
/// resume exactly where it stopped (the model's parameters and buffers, the optimizer's state
/// and step counts, the scheduler's position) in one safetensors file.
///
/// Names follow PyTorch's habit of `{"model": model.state_dict(), "optimizer":
/// optimizer.state_dict(), "scheduler": scheduler.state_dict()}`, flattened with dots:
/// "model.0.weight", "optimizer.state.0.exp_avg", "optimizer.state.0.step",
/// "optimizer.param_groups.0.lr", "scheduler.last_epoch". Matrices keep the model's scalar
/// type, lr and other doubles are F64 and counters I64 (0-dim tensors), so nothing is
/// rounded: training N steps, saving, loading into fresh objects and training N more gives
/// the same bits as training 2N steps. The random generators of modules that own one
/// (Dropout's masks) are saved too, in the metadata ("ctnn.generator.<module>"), so a run with
/// dropout resumes exactly as well. Loading is all or nothing, as load_safetensors.
///
/// Optimizer state tensors have their parameter's shape, as in PyTorch, whatever its rank: the
/// exp_avg of a (8, 3, 3, 3) weight is (8, 3, 3, 3), that of a 0-D parameter 0-D, and that of
/// Linear<1, 8>'s weight (nn.Linear(1, 8).weight, (8, 1)) is (8, 1), 2-D. Checkpoints written
/// before ctnn kept that ndim stored such one-column tensors 1-D, (8); loading a checkpoint
/// still accepts (R) where (R, 1) is expected, model or optimizer, the elements being the same.
/// (load_safetensors, PyTorch's load_state_dict, does not: the shape must be the parameter's.)
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctnn/core/scalar.hpp"
#include "ctnn/detail/type_name.hpp"
#include "ctnn/init/generator.hpp"
#include "ctnn/io/safetensors.hpp"

namespace ctnn {

/// Metadata keys of a checkpoint (besides those of save_safetensors).
inline constexpr const char* optimizer_key = "ctnn.optimizer";
inline constexpr const char* scheduler_key = "ctnn.scheduler";

namespace detail {

/// PyTorch's shapes of model's parameters in ctnn::parameters() order: the shapes of an
/// optimizer's "state.<i>.<what>" tensors, which are those of parameter i.
template <class Model>
std::vector<std::vector<std::int64_t>> parameter_shapes(Model& model) {
  std::vector<std::vector<std::int64_t>> shapes;
  parameters(model, [&](auto& p) { shapes.push_back(torch_shape_of<std::remove_cvref_t<decltype(p)>>()); });
  return shapes;
}

/// The shape of matrix state t named `name`. A matrix that mirrors a parameter comes with that
/// parameter's ndim (optim::detail::visit_state) and is named "state.<i>.<what>": it has the
/// shape of parameter i (from `shapes`), as in PyTorch (the exp_avg of a Conv2d weight is
/// (8, 3, 3, 3), that of nn.Linear(1, 8).weight (8, 1)). Without an ndim: matrix_shape.
template <class M>
std::vector<std::int64_t> state_shape(std::string_view name, const M& t, std::optional<int> ndim,
                                      const std::vector<std::vector<std::int64_t>>& shapes) {
  if (!ndim) return matrix_shape(t.rows(), t.cols());
  if (name.starts_with("state.")) {
    std::size_t i = 0;
    const char* first = name.data() + 6;
    const char* last = name.data() + name.size();
    const auto [end, ec] = std::from_chars(first, last, i);
    if (ec == std::errc() && end != first && end != last && *end == '.' && i < shapes.size()) {
      const auto& s = shapes[i];
      std::int64_t n = 1;
      for (auto d : s) n *= d;
      const std::int64_t rows = s.empty() ? 1 : s[0];
      if (static_cast<int>(s.size()) == *ndim && rows == t.rows() && n == t.size()) return s;
    }
  }
  if (*ndim == 0 && t.size() == 1) return {};
  if (*ndim == 1 && t.cols() == 1) return {t.rows()};
  if (*ndim == 2) return {t.rows(), t.cols()};
  detail::fail("ctnn checkpoint: optimizer state '" + std::string(name) + "' mirrors a parameter of " +
               std::to_string(*ndim) + " dimensions but is not named state.<i>.<what> after one");
}

/// Calls obj.named_state(f) with f adding each piece of state to writer under prefix, a
/// matrix with the shape state_shape gives it.
template <class T>
void write_named_state(T& obj, const std::string& prefix, SafetensorsWriter& writer,
                       const std::vector<std::vector<std::int64_t>>& shapes = {}) {
  obj.named_state([&](std::string_view name, auto& t, auto... ndim) {
    using V = std::remove_cvref_t<decltype(t)>;
    std::string full = prefix + std::string(name);
    if constexpr (std::is_same_v<V, double>) {
      writer.add_values<double>(std::move(full), Dtype::F64, {}, std::span<const double>(&t, 1));
    } else if constexpr (std::is_integral_v<V>) {
      const std::int64_t v = static_cast<std::int64_t>(t);
      writer.add_values<std::int64_t>(std::move(full), Dtype::I64, {}, std::span<const std::int64_t>(&v, 1));
    } else {
      std::optional<int> rank;
      ((rank = static_cast<int>(ndim)), ...);
      write_matrix(writer, std::move(full), t, std::nullopt, state_shape(name, t, rank, shapes));
    }
  });
}

/// Adds each piece of obj's state to `state` under prefix; a matrix has the shape
/// state_shape gives it and also takes the 1-D shape of older checkpoints for (R, 1).
template <class T>
void add_named_state(T& obj, const std::string& prefix, state_list& state,
                     const std::vector<std::vector<std::int64_t>>& shapes = {}) {
  obj.named_state([&](std::string_view name, auto& t, auto... ndim) {
    if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(t)>>) {
      state.add(prefix + std::string(name), t);
    } else {
      std::optional<int> rank;
      ((rank = static_cast<int>(ndim)), ...);
      state.add(prefix + std::string(name), t, state_shape(name, t, rank, shapes), /*accept_1d_column=*/true);
    }
  });
}

/// Checks that the file was written by the same kind of optimizer or scheduler (their states
/// could share names, as "param_groups.0.lr", and still mean different things).
inline void check_kind(const SafetensorsFile& f, const char* key, std::string_view ours, const char* what,
                       const LoadOptions& options, const std::string& context) {
  if (!options.strict) return;
  auto theirs = f.metadata(key);
  if (!theirs)
    detail::fail(context + "the checkpoint holds no " + what + " (metadata '" + key + "' is missing); expected one of type " +
                std::string(ours));
  if (*theirs != ours)
    detail::fail(context + "the checkpoint's " + what + " is " + *theirs + ", but it is being loaded into " +
                std::string(ours));
}

/// Calls f(path, module) for every module of obj that owns a random generator (Dropout's
/// `generator()`), path as in state_dict names ("1", "encoder.drop").
template <class T, class F>
void visit_generators(T& obj, const std::string& path, F& f) {
  if constexpr (ModuleLike<T>) {
    if constexpr (requires { obj.generator().state(); }) f(path, obj);
    for_each_child(obj, [&](std::string_view name, auto& child) {
      visit_generators(child, path.empty() ? std::string(name) : path + "." + std::string(name), f);
    });
  }
}

/// Metadata key of the generator state of the module at `path`.
inline std::string generator_key(const std::string& path) { return "ctnn.generator." + (path.empty() ? "(model)" : path); }

template <class Model, class Opt, class... Sched>
SafetensorsWriter checkpoint_writer(Model& model, Opt& optimizer, Sched&... scheduler) {
  SafetensorsWriter writer;
  writer.set_metadata("format", "pt");
  writer.set_metadata(architecture_key, std::string(architecture<Model>));
  writer.set_metadata(scalar_type_key, std::string(torch_dtype_name<scalar_of<Model>>()));
  writer.set_metadata(optimizer_key, std::string(repr_name_of<Opt>()));
  (writer.set_metadata(scheduler_key, std::string(repr_name_of<Sched>())), ...);
  write_model_state(model, "model.", writer, std::nullopt);
  auto save_generator = [&](const std::string& path, auto& m) { writer.set_metadata(generator_key(path), m.generator().state()); };
  visit_generators(model, std::string(), save_generator);
  write_named_state(optimizer, "optimizer.", writer, parameter_shapes(model));
  (write_named_state(scheduler, "scheduler.", writer), ...);
  return writer;
}

template <class Model, class Opt, class... Sched>
LoadResult load_checkpoint_from(const SafetensorsFile& f, const LoadOptions& options, Model& model, Opt& optimizer,
                                Sched&... scheduler) {
  const std::string context = "ctnn::load_checkpoint: " + f.source() + ": ";
  check_kind(f, optimizer_key, repr_name_of<Opt>(), "optimizer", options, context);
  (check_kind(f, scheduler_key, repr_name_of<Sched>(), "scheduler", options, context), ...);
  // Random generators (Dropout) live in the metadata: staged here, committed after the tensors.
  std::vector<std::pair<Generator*, Generator>> generators;
  auto stage_generator = [&](const std::string& path, auto& m) {
    const auto text = f.metadata(generator_key(path));
    if (!text) {
      if (!options.strict) return;
      detail::fail(context + "the checkpoint holds no random generator state for module '" + path + "' (" +
                  std::string(repr_name_of<std::remove_cvref_t<decltype(m)>>()) + ")");
    }
    Generator g;
    if (!g.set_state(*text))
      detail::fail(context + "the random generator state of module '" + path + "' is malformed");
    generators.emplace_back(&m.generator(), g);
  };
  visit_generators(model, std::string(), stage_generator);
  state_list state;
  add_model_state(model, "model.", state, /*accept_1d_column=*/true);
  add_named_state(optimizer, "optimizer.", state, parameter_shapes(model));
  (add_named_state(scheduler, "scheduler.", state), ...);
  LoadResult result = load_state(state, f, options, architecture<Model>, context);
  for (auto& [target, staged] : generators) *target = staged;
  return result;
}

}  // namespace detail

/// Saves model, optimizer and (optionally) scheduler to `path`, atomically (temporary file
/// in the same folder, then rename). The optimizer must be the one built over `model`.
template <class Model, class Opt, class... Sched>
  requires(sizeof...(Sched) <= 1)
void save_checkpoint(const std::filesystem::path& path, Model& model, Opt& optimizer, Sched&... scheduler) {
  detail::checkpoint_writer(model, optimizer, scheduler...).write(path);
}

/// Restores what save_checkpoint stored into model, optimizer and (optionally) scheduler,
/// which must have the types that were saved. All or nothing: on ctnn::Error, nothing changed.
template <class Model, class Opt, class... Sched>
  requires(sizeof...(Sched) <= 1 && !std::same_as<std::remove_cvref_t<Model>, LoadOptions>)
LoadResult load_checkpoint(const std::filesystem::path& path, Model& model, Opt& optimizer, Sched&... scheduler) {
  return detail::load_checkpoint_from(SafetensorsFile::read(path), LoadOptions{}, model, optimizer, scheduler...);
}

/// load_checkpoint with options (strict = false loads what matches and reports the rest).
template <class Model, class Opt, class... Sched>
  requires(sizeof...(Sched) <= 1)
LoadResult load_checkpoint(const std::filesystem::path& path, const LoadOptions& options, Model& model, Opt& optimizer,
                           Sched&... scheduler) {
  return detail::load_checkpoint_from(SafetensorsFile::read(path), options, model, optimizer, scheduler...);
}

}  // namespace ctnn
