#include <doctest/doctest.h>

#include <map>
#include <string>

#include <torch/torch.h>

#include "model/cvae.h"

using namespace vidpred::model;

namespace {

int64_t count(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

Cvae make(const CvaeOptions& o, bool learned = false) {
  std::shared_ptr<PriorImpl> prior;
  if (learned) {
    prior = std::make_shared<LearnedPriorImpl>(o.g_dim, o.z_dim, o.rnn_size, 1);
  } else {
    prior = std::make_shared<FixedPriorImpl>();
  }
  Cvae model(o, prior);
  init_weights(*model);
  return model;
}

CvaeOptions tiny() {
  CvaeOptions o;
  o.width = 0.125;
  o.g_dim = 16;
  o.z_dim = 4;
  o.rnn_size = 32;
  return o;
}

}  // namespace

TEST_CASE("the reference configuration has exactly the reference's parameter counts") {
  torch::manual_seed(1);
  Cvae model = make(CvaeOptions{});
  CHECK(count(*model->frame_predictor) == 1137024);
  CHECK(count(*model->posterior) == 592256);
  CHECK(count(*model->encoder) == 8689600);
  CHECK(count(*model->decoder) == 11822659);
  CHECK(count(*model) == 22241539);
}

TEST_CASE("initialisation follows the reference") {
  torch::manual_seed(1);
  Cvae model = make(CvaeOptions{});
  std::vector<at::Tensor> conv_weights, bn_weights;
  for (const auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    const at::Tensor& p = item.value();
    bool is_bn = name.find("norm.weight") != std::string::npos;
    if (name.find("encoder.c4.1.conv.weight") != std::string::npos) conv_weights.push_back(p.flatten());
    if (is_bn && name.find("encoder") != std::string::npos) bn_weights.push_back(p.flatten());
    if (name.find("bias") != std::string::npos && name.find("lstm") == std::string::npos) {
      CHECK_MESSAGE(p.abs().max().item<float>() == 0.f, name);
    }
  }
  auto conv = torch::cat(conv_weights);
  CHECK(conv.std().item<double>() == doctest::Approx(0.02).epsilon(0.05));
  CHECK(conv.mean().item<double>() == doctest::Approx(0.0).epsilon(0.001));
  auto bn = torch::cat(bn_weights);
  CHECK(bn.mean().item<double>() == doctest::Approx(1.0).epsilon(0.01));
  CHECK(bn.std().item<double>() == doctest::Approx(0.02).epsilon(0.2));
}

TEST_CASE("output shapes hold at several batch sizes and widths") {
  torch::manual_seed(2);
  for (double width : {0.125, 0.25}) {
    CvaeOptions o = tiny();
    o.width = width;
    Cvae model = make(o);
    for (int64_t batch : {1, 3, 5}) {
      const int64_t T = 5, n_past = 2;
      auto frames = torch::rand({batch, T, 3, 64, 64});
      auto cond = torch::randn({batch, T, 7});
      auto eps = torch::randn({T - 1, batch, o.z_dim});
      model->train();
      if (batch > 1) {
        auto losses = model->forward(frames, cond, eps, n_past, true);
        CHECK(losses.mse.dim() == 0);
        CHECK(losses.kld.item<float>() >= 0.f);
      }
      model->eval();
      torch::NoGradGuard no_grad;
      auto out = model->generate(frames, cond, eps, n_past, T);
      CHECK(out.sizes() == torch::IntArrayRef({batch, T, 3, 64, 64}));
      CHECK(torch::equal(out.narrow(1, 0, n_past), frames.narrow(1, 0, n_past)));
      CHECK(out.min().item<float>() >= 0.f);
      CHECK(out.max().item<float>() <= 1.f);
    }
  }
}

TEST_CASE("teacher forcing off feeds the encoded prediction back, after the observed frames") {
  torch::manual_seed(3);
  CvaeOptions o = tiny();
  Cvae model = make(o);
  model->train();
  const int64_t B = 2, T = 7, n_past = 3;
  auto frames = torch::rand({B, T, 3, 64, 64});
  auto cond = torch::randn({B, T, 7});
  auto eps = torch::randn({T - 1, B, o.z_dim});

  StepTrace off;
  model->forward(frames, cond, eps, n_past, /*teacher_forcing=*/false, &off);
  REQUIRE(off.h_prev.size() == T - 1);
  // Encoded: the predictions of frames n_past to T - 2; the last feeds no step.
  REQUIRE(off.prediction_encoding.size() == T - 1 - n_past);
  for (int64_t i = 2; i < T; ++i) {
    CAPTURE(i);
    if (i <= n_past) {
      // Up to the first predicted frame, step i sees the observed frame i - 1,
      // as generation does.
      CHECK(torch::equal(off.h_prev[i - 1], off.truth_encoding[i - 2]));
      continue;
    }
    // Then the encoding of step i-1's prediction, not the truth.
    CHECK(torch::equal(off.h_prev[i - 1], off.prediction_encoding[i - 1 - n_past]));
    CHECK(!torch::allclose(off.h_prev[i - 1], off.truth_encoding[i - 2]));
  }

  StepTrace on;
  model->forward(frames, cond, eps, n_past, /*teacher_forcing=*/true, &on);
  CHECK(on.prediction_encoding.empty());
  for (int64_t i = 2; i < T; ++i) CHECK(torch::equal(on.h_prev[i - 1], on.truth_encoding[i - 2]));
}

TEST_CASE("KL divergence: zero between identical standard normals, closed form otherwise") {
  auto zeros = torch::zeros({3, 4});
  CHECK(kl_divergence({zeros, zeros}, {}).item<double>() == doctest::Approx(0.0));
  CHECK(kl_divergence({zeros, zeros}, {zeros, zeros}).item<double>() == doctest::Approx(0.0));
  // KL(N(1, e^0.5) || N(0, 1)) per element = 0.5 * (e^0.5 + 1 - 1 - 0.5).
  auto mu = torch::ones({2, 5}), logvar = torch::full({2, 5}, 0.5);
  double expected = 10 * 0.5 * (std::exp(0.5) + 1.0 - 1.0 - 0.5);
  CHECK(kl_divergence({mu, logvar}, {}).item<double>() == doctest::Approx(expected).epsilon(1e-5));
  // KL(N(1, 1) || N(0, e^1)) per element = 0.5 * (1 - 0 + (1 + 1) / e - 1).
  auto p_logvar = torch::ones({2, 5});
  double expected_pair = 10 * 0.5 * (1.0 + 2.0 / std::exp(1.0) - 1.0);
  CHECK(kl_divergence({mu, torch::zeros({2, 5})}, {torch::zeros({2, 5}), p_logvar}).item<double>() ==
        doctest::Approx(expected_pair).epsilon(1e-5));
}

TEST_CASE("the learned prior adds its own LSTM and trains through the KL") {
  torch::manual_seed(4);
  CvaeOptions o = tiny();
  Cvae fixed = make(o), learned = make(o, true);
  CHECK(count(*learned) > count(*fixed));
  learned->train();
  auto frames = torch::rand({2, 4, 3, 64, 64});
  auto losses = learned->forward(frames, torch::randn({2, 4, 7}), torch::randn({3, 2, o.z_dim}), 2, true);
  losses.kld.backward();
  double grad = 0;
  for (const auto& p : learned->prior->parameters()) {
    if (p.grad().defined()) grad += p.grad().abs().sum().item<double>();
  }
  CHECK(grad > 0);
}

namespace {

// A training step's losses, gradients and BatchNorm buffers after it.
struct StepResult {
  double mse = 0, kld = 0;
  std::map<std::string, at::Tensor> grads, buffers;
};

StepResult train_step(Cvae& model, const at::Tensor& frames, const at::Tensor& cond, const at::Tensor& eps,
                      int64_t n_past, bool teacher_forcing) {
  model->train();
  model->zero_grad();
  StepLosses l = model->forward(frames, cond, eps, n_past, teacher_forcing);
  // `predicted` is what the mse scored: frames 1..T-1 as decoded.
  const int64_t T = frames.size(1);
  CHECK(l.mse.item<double>() ==
        doctest::Approx(torch::mse_loss(l.predicted, frames.narrow(1, 1, T - 1)).item<double>() * double(T - 1))
            .epsilon(1e-6));
  (l.mse + 0.1 * l.kld).backward();
  StepResult r{l.mse.item<double>(), l.kld.item<double>(), {}, {}};
  for (const auto& p : model->named_parameters()) {
    if (p.value().grad().defined()) r.grads[p.key()] = p.value().grad().clone();
  }
  for (const auto& b : model->named_buffers()) r.buffers[b.key()] = b.value().clone();
  return r;
}

// Equal within rounding: `relative` to each tensor's own scale, or for
// tensors that are zero up to rounding (a conv bias before a BatchNorm gets no
// gradient: a sum of many terms that cancel) to half that of the largest value of the whole set.
void check_close(const std::map<std::string, at::Tensor>& a, const std::map<std::string, at::Tensor>& b,
                 double relative) {
  REQUIRE(a.size() == b.size());
  double largest = 0;
  for (const auto& entry : a) largest = std::max(largest, entry.second.abs().max().item<double>());
  for (const auto& [name, t] : a) {
    CAPTURE(name);
    const at::Tensor& u = b.at(name);
    const double tolerance = relative * (t.abs().max().item<double>() + 0.5 * largest);
    CHECK((t.to(at::kDouble) - u.to(at::kDouble)).abs().max().item<double>() <= tolerance);
  }
}

}  // namespace

// In float64: the two paths sum the same terms in other orders, and in
// float32 how far apart that leaves them depends on the CPU's instruction set
// (a tolerance that held with AVX-512 failed on AVX2). In float64 they agree
// to about 1e-12 on any CPU, so the check can be tight and still portable.
TEST_CASE("frames batched in one call train exactly as frame by frame: losses, gradients, running statistics") {
  const int64_t B = 3, T = 6;
  for (bool teacher_forcing : {true, false}) {
    for (bool last_frame_skip : {false, true}) {
      for (int64_t n_past : {2, 3}) {
        // The warping output on half the cases: batched, it warps the stacked true frames.
        const bool warp = n_past == 3;
        CAPTURE(teacher_forcing);
        CAPTURE(last_frame_skip);
        CAPTURE(n_past);
        CvaeOptions o = tiny();
        o.last_frame_skip = last_frame_skip;
        o.warp = warp;
        torch::manual_seed(5);
        Cvae batched = make(o);
        o.batch_frames = false;
        Cvae reference = make(o);
        batched->to(torch::kDouble);
        reference->to(torch::kDouble);
        {
          torch::NoGradGuard no_grad;
          auto target = reference->named_parameters();
          for (const auto& p : batched->named_parameters()) target[p.key()].copy_(p.value());
        }
        auto frames = torch::rand({B, T, 3, 64, 64}, torch::kDouble);
        auto cond = torch::randn({B, T, 7}, torch::kDouble);
        auto eps = torch::randn({T - 1, B, o.z_dim}, torch::kDouble);
        // Two steps: the second starts from running statistics the first updated.
        for (int step = 0; step < 2; ++step) {
          StepResult a = train_step(batched, frames, cond, eps, n_past, teacher_forcing);
          StepResult b = train_step(reference, frames, cond, eps, n_past, teacher_forcing);
          CHECK(a.mse == doctest::Approx(b.mse).epsilon(1e-10));
          CHECK(a.kld == doctest::Approx(b.kld).epsilon(1e-10));
          check_close(a.grads, b.grads, 1e-9);
          check_close(a.buffers, b.buffers, 1e-9);
          // Per step: the T true frames, then the predictions fed back.
          const int64_t encoded = T + (teacher_forcing ? 0 : T - 1 - n_past);
          CHECK(at::equal(a.buffers.at("encoder.c1.0.norm.num_batches_tracked"),
                          torch::tensor(encoded * (step + 1))));
        }
      }
    }
  }
}

// The decoder as torch's own modules run it, ConvTranspose2d included (any dtype).
static at::Tensor torch_modules(vidpred::model::Decoder& decoder, const at::Tensor& h,
                             const std::vector<at::Tensor>& skips) {
  auto stage = [&](const char* name, const at::Tensor& x) {
    return decoder->named_children()[name]->as<torch::nn::SequentialImpl>()->forward(x);
  };
  auto up = [](const at::Tensor& x) { return torch::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2}); };
  at::Tensor d = stage("upc1", h.view({h.size(0), -1, 1, 1}));
  d = stage("upc2", torch::cat({up(d), skips[3]}, 1));
  d = stage("upc3", torch::cat({up(d), skips[2]}, 1));
  d = stage("upc4", torch::cat({up(d), skips[1]}, 1));
  return stage("upc5", torch::cat({up(d), skips[0]}, 1));
}

// Ours runs in float32, as in training; torch's own modules (ConvTranspose2d
// included) run the same weights in float64 as the reference. Comparing
// float32 against float64 bounds our error on any CPU, whatever kernels the
// CPU's instruction set selects for either side.
TEST_CASE("the decoder's transposed convolutions, computed as a product and a convolution, equal torch's") {
  for (int64_t batch : {1, 5}) {
    CAPTURE(batch);
    torch::manual_seed(3);
    vidpred::model::Decoder decoder(16, 0.125, 3);
    torch::manual_seed(3);
    vidpred::model::Decoder reference(16, 0.125, 3);
    reference->to(torch::kDouble);
    decoder->train();
    reference->train();
    const at::Tensor h64 = torch::randn({batch, 16}, torch::kDouble).requires_grad_();
    const at::Tensor h32 = h64.detach().to(torch::kFloat).requires_grad_();
    std::vector<at::Tensor> skips{torch::randn({batch, 8, 64, 64}, torch::kDouble),
                                  torch::randn({batch, 16, 32, 32}, torch::kDouble),
                                  torch::randn({batch, 32, 16, 16}, torch::kDouble),
                                  torch::randn({batch, 64, 8, 8}, torch::kDouble)};
    std::vector<at::Tensor> skips32;
    for (const auto& s : skips) skips32.push_back(s.to(torch::kFloat));
    const at::Tensor expected = torch_modules(reference, h64, skips);
    const at::Tensor got = decoder->forward(h32, skips32);
    // Shown only on failure: torch's own float32 modules beside the float64
    // ones, which tells whether ours or the CPU's kernels moved.
    INFO("torch's float32 modules differ from float64 by "
         << (torch_modules(decoder, h32, skips32).to(torch::kDouble) - expected).abs().max().item<double>());
    CHECK((got.to(torch::kDouble) - expected).abs().max().item<double>() < 1e-5);
    // And the same gradients for the transposed convolutions' weights and for h.
    auto gradients = [](torch::nn::Module& m, const at::Tensor& h, const at::Tensor& out) {
      (out * torch::linspace(0, 1, out.numel(), out.options()).view(out.sizes())).sum().backward();
      const auto params = m.named_parameters();
      // (upc1's bias is left out: the BatchNorm after it cancels it, and both
      // gradients are rounding noise.)
      return std::vector<at::Tensor>{params["upc1.0.weight"].grad(), params["upc5.1.weight"].grad(),
                                     params["upc5.1.bias"].grad(), h.grad()};
    };
    const auto ours = gradients(*decoder, h32, got), torchs = gradients(*reference, h64, expected);
    for (size_t i = 0; i < ours.size(); ++i) {
      CAPTURE(i);
      const double scale = torchs[i].abs().max().item<double>();
      CHECK(scale > 0.1);
      CHECK((ours[i].to(torch::kDouble) - torchs[i]).abs().max().item<double>() < 1e-4 * scale);
    }
  }
}

TEST_CASE("warp: a shut mask at rest copies the last observed frame (or the previous one); an open mask is the plain decoder") {
  const int64_t B = 2, T = 6, n_past = 2, C = 3;
  auto frames = torch::rand({B, T, C, 64, 64});
  auto cond = torch::randn({B, T, 7});
  for (bool last_frame_skip : {false, true}) {
    CAPTURE(last_frame_skip);
    CvaeOptions o = tiny();
    o.last_frame_skip = last_frame_skip;
    auto eps = torch::randn({T - 1, B, o.z_dim});
    Cvae plain = make(o);
    o.warp = true;
    Cvae warping = make(o);
    REQUIRE(warping->named_parameters()["decoder.upc5.1.bias"].size(0) == C + kWarpChannels);
    // Every parameter shared; the warping decoder's last layer draws the plain one's channels, then mask and
    // flow, set by their biases alone.
    auto set_output = [&](double mask_logit) {
      torch::NoGradGuard no_grad;
      auto target = warping->named_parameters();
      for (const auto& p : plain->named_parameters()) {
        at::Tensor t = target[p.key()];
        const int64_t out_axis = t.dim() == 4 ? 1 : 0;  // ConvTranspose2d weights are (in, out, k, k)
        t.narrow(out_axis, 0, p.value().size(out_axis)).copy_(p.value());
      }
      target["decoder.upc5.1.weight"].narrow(1, C, kWarpChannels).zero_();
      target["decoder.upc5.1.bias"][C].fill_(mask_logit);
      target["decoder.upc5.1.bias"].narrow(0, C + 1, 2).zero_();  // sigmoid 0.5: at rest
    };

    set_output(-60);
    warping->eval();
    {
      torch::NoGradGuard no_grad;
      const at::Tensor shut = warping->generate(frames, cond, eps, n_past, T);
      CHECK(torch::equal(shut.narrow(1, 0, n_past), frames.narrow(1, 0, n_past)));
      // Each warp at rest resamples at the pixel centres up to float rounding of the grid: 7e-6 a step.
      for (int64_t t = n_past; t < T; ++t) {
        CHECK(torch::allclose(shut.select(1, t), frames.select(1, n_past - 1), 0, 1e-4));
      }
    }
    set_output(60);
    plain->eval();
    {
      torch::NoGradGuard no_grad;
      CHECK(torch::allclose(warping->generate(frames, cond, eps, n_past, T),
                            plain->generate(frames, cond, eps, n_past, T), 0, 1e-6));
    }
    // Trained with the mask shut, each decoded frame copies the true previous one up to the last observed one,
    // then that one: with last_frame_skip the frame before it, which with teacher forcing is the truth and
    // without is the copy before it, that is the last observed one again.
    set_output(-60);
    warping->train();
    auto loss_of_copying = [&](const at::Tensor& copied) {
      return torch::mse_loss(copied, frames.narrow(1, 1, T - 1)).item<double>() * double(T - 1);
    };
    const at::Tensor observed_then_last = torch::cat(
        {frames.narrow(1, 0, n_past), frames.narrow(1, n_past - 1, 1).expand({B, T - 1 - n_past, C, 64, 64})}, 1);
    const at::Tensor forced_source = last_frame_skip ? frames.narrow(1, 0, T - 1) : observed_then_last;
    StepLosses forced = warping->forward(frames, cond, eps, n_past, true);
    CHECK(forced.mse.item<double>() == doctest::Approx(loss_of_copying(forced_source)).epsilon(1e-5));
    CHECK(torch::allclose(forced.predicted, forced_source, 0, 1e-4));
    StepLosses free_running = warping->forward(frames, cond, eps, n_past, false);
    CHECK(free_running.mse.item<double>() == doctest::Approx(loss_of_copying(observed_then_last)).epsilon(1e-5));
    CHECK(torch::allclose(free_running.predicted, observed_then_last, 0, 1e-4));

    // Generation with a flow of one pixel: each prediction moves the last observed frame once, or with
    // last_frame_skip the prediction before, so once more each frame.
    {
      torch::NoGradGuard no_grad;
      warping->named_parameters()["decoder.upc5.1.bias"][C + 1].fill_(std::log(9.0 / 7.0));  // sigmoid: 0.5 + 1/16
    }
    warping->eval();
    torch::NoGradGuard no_grad;
    const at::Tensor moving = warping->generate(frames, cond, eps, n_past, T);
    const at::Tensor one_pixel = torch::cat({torch::zeros({B, C, 64, 64}), torch::zeros({B, 1, 64, 64}),
                                             torch::full({B, 1, 64, 64}, 0.5 + 1.0 / 16), torch::full({B, 1, 64, 64}, 0.5)},
                                            1);
    at::Tensor expected = frames.select(1, n_past - 1);
    for (int64_t t = n_past; t < T; ++t) {
      expected = warp_composite(one_pixel, last_frame_skip ? expected : frames.select(1, n_past - 1));
      CHECK(torch::allclose(moving.select(1, t), expected, 0, 1e-4));
    }
  }
}

TEST_CASE("warp_composite moves the previous frame by the drawn flow, in pixels, and blends by the mask") {
  const int64_t C = 3, H = 64, W = 64;
  auto previous = torch::rand({2, C, H, W});
  auto drawn = torch::rand({2, C, H, W});
  auto output = [&](double mask, double flow_x, double flow_y) {
    auto constant = [&](double v) { return torch::full({2, 1, H, W}, v); };
    // Flow channels hold 0.5 + pixels / (2 * kMaxFlowPixels).
    return torch::cat({drawn, constant(mask), constant(0.5 + flow_x / (2 * kMaxFlowPixels)),
                       constant(0.5 + flow_y / (2 * kMaxFlowPixels))},
                      1);
  };
  CHECK(torch::allclose(warp_composite(output(0, 0, 0), previous), previous, 0, 1e-5));
  CHECK(torch::allclose(warp_composite(output(1, 3, -2), previous), drawn, 0, 1e-6));
  // Each pixel takes the value 2 pixels right and 1 up (backward warping), the last column and row repeated.
  at::Tensor moved = warp_composite(output(0, 2, -1), previous);
  using torch::indexing::Slice;
  CHECK(torch::allclose(moved.index({Slice(), Slice(), Slice(1, H), Slice(0, W - 2)}),
                        previous.index({Slice(), Slice(), Slice(0, H - 1), Slice(2, W)}), 0, 1e-4));
  CHECK(torch::allclose(moved.index({Slice(), Slice(), Slice(1, H), W - 1}),
                        previous.index({Slice(), Slice(), Slice(0, H - 1), W - 1}), 0, 1e-4));
  // Half a pixel is the mean of the two neighbours; the mask blends linearly.
  at::Tensor half = warp_composite(output(0, 0.5, 0), previous);
  CHECK(torch::allclose(half.index({Slice(), Slice(), Slice(), Slice(0, W - 1)}),
                        (previous.index({Slice(), Slice(), Slice(), Slice(0, W - 1)}) +
                         previous.index({Slice(), Slice(), Slice(), Slice(1, W)})) / 2,
                        0, 1e-4));
  CHECK(torch::allclose(warp_composite(output(0.25, 0, 0), previous), 0.75 * previous + 0.25 * drawn, 0, 1e-5));
  // Steps stacked as (B, n, ...) warp as the same frames one by one.
  at::Tensor stacked = warp_composite(torch::stack({output(0, 2, -1), output(0.25, 0, 0)}, 1),
                                      torch::stack({previous, previous}, 1));
  CHECK(torch::allclose(stacked.select(1, 0), moved, 0, 1e-6));
}

TEST_CASE("normalize_cond: the predictor sees each condition minus its mean over its deviation") {
  const int64_t B = 2, T = 5, n_past = 2;
  auto frames = torch::rand({B, T, 3, 64, 64});
  auto cond = torch::randn({B, T, 7}) * 0.05;
  CvaeOptions o = tiny();
  auto eps = torch::randn({T - 1, B, o.z_dim});
  torch::manual_seed(9);
  Cvae plain = make(o);
  o.normalize_cond = true;
  torch::manual_seed(9);
  Cvae normalizing = make(o);
  // Fresh, the statistics change nothing.
  CHECK(normalizing->named_buffers()["cond_mean"].count_nonzero().item<int64_t>() == 0);
  CHECK(torch::equal(normalizing->named_buffers()["cond_std"], torch::ones({7})));
  CHECK(plain->named_buffers().find("cond_mean") == nullptr);  // the reference's checkpoints are unchanged

  at::Tensor mean = torch::randn({7}) * 0.1;
  at::Tensor deviation = torch::rand({7}) * 0.1 + 0.01;
  deviation[3] = 0;  // a constant dimension: centred, not divided by 0
  normalizing->set_cond_statistics(mean, deviation);
  at::Tensor used = deviation.clone();
  used[3] = 1;
  CHECK(torch::equal(normalizing->named_buffers()["cond_std"], used));
  for (bool teacher_forcing : {true, false}) {
    CAPTURE(teacher_forcing);
    StepLosses a = normalizing->forward(frames, cond, eps, n_past, teacher_forcing);
    StepLosses b = plain->forward(frames, (cond - mean) / used, eps, n_past, teacher_forcing);
    CHECK(a.mse.item<double>() == doctest::Approx(b.mse.item<double>()).epsilon(1e-6));
    CHECK(a.kld.item<double>() == doctest::Approx(b.kld.item<double>()).epsilon(1e-5));
  }
  normalizing->eval();
  plain->eval();
  torch::NoGradGuard no_grad;
  CHECK(torch::allclose(normalizing->generate(frames, cond, eps, n_past, T),
                        plain->generate(frames, (cond - mean) / used, eps, n_past, T), 0, 1e-6));
  CvaeOptions reference = tiny();
  Cvae unnormalized = make(reference);
  CHECK_THROWS_WITH_AS(unnormalized->set_cond_statistics(mean, deviation),
                       doctest::Contains("does not normalise"), c10::Error);
}
