// 12 — A variational autoencoder: a plane you can sample from
//
// Tutorial 11's autoencoder draws, but only where its encoder happened to put images: its
// latent plane is lopsided, with gaps that decode to nonsense, so there is no good way to
// pick a point at random. The variational autoencoder (the book's chapter 3) fixes that
// with two changes. Its encoder gives each image not a point but a small cloud: a mean μ
// and a log-variance log σ² per coordinate, and a SAMPLING layer draws the point
// z = μ + σ·ε from it (ε ~ N(0, 1)), so neighbouring points must decode to similar images.
// And a second term in the loss, the KL divergence from N(0, 1), pulls every cloud towards
// the origin with unit spread, so the whole plane is filled like a standard normal: now
// z ~ N(0, I) decodes to clothes.
//
// From the ideas to the code:
//   images as numbers, padded to 32×32     [1] tutorial::pad_to_32 (autoencoder_parts.h)
//   an encoder with two heads              [2] Conv2D 32/64/128 → Flatten → Dense 2 "z_mean"
//                                              and Dense 2 "z_log_var"
//   the reparameterisation trick           [2] layers::Sampling: z = μ + exp(½·log σ²)·ε,
//                                              ε from the model's seeded generator
//   the KL term, a loss a layer adds       [3] Sampling adds −½·Σ(1 + log σ² − μ² − σ²)
//                                              (Keras add_loss), kl_loss in the history
//   the same decoder                       [4] tutorial::decoder_layers
//   two losses, weighted                   [5] compile with loss_weights {500}: the book's
//                                              500 × binary cross-entropy + KL
//   generating from N(0, I)                [6] decoder.predict on random normal points
//   the latent space, now a normal cloud   [7] encoder.predict_outputs: z_mean of each image
//   a walk through the latent space        [8] decode the points on a line between two images
//
// Where this lives in the library: src/layers/sampling.cpp (the layer and its added loss;
// its plain path src/reference/sampling.cpp), src/model/model_losses.cpp (the loss of a
// batch: each output's loss times its weight, plus the losses layers add).
//
// Expected output (Fashion-MNIST): the summaries (encoder 100,868 and decoder 246,273
// parameters, as in the book); five epochs in which the loss falls from 161.39 to 132.85
// (reconstruction_loss 0.3139 to 0.2555, while kl_loss rises from 4.4654 to 5.1104: the
// clouds spread just enough to be told apart); 40 new images from random points
// (out/12_generated.svg, clothes of every kind); where each class lies, the test images'
// z_mean with mean (-0.02, 0.10) and standard deviation (1.00, 1.04), a standard normal
// (out/12_latent_space.svg); an ankle boot turning into a pullover (out/12_walk.svg); last,
// `test loss 133.25, reconstruction_loss 0.2560, kl_loss 5.2608`. On 2 cores an epoch takes
// about a minute.
// --quick: 1,000 training images in batches of 20 for 1 epoch, pictures in out/quick/.
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "autoencoder_parts.h"
#include "nn.h"
#include "tutorial.h"
#include "tutorial_data.h"

namespace L = nn::layers;
using nn::Node;
using nn::Tensor;

int main(int argc, char** argv) {
  auto args = tutorial::parse_args(argc, argv, true);
  nn::set_seed(42);
  const int epochs = args.quick ? 1 : args.epochs_or(5);

  tutorial::section(args, 1, "Load the images, pad them to 32×32, scale them to 0..1");
  tutorial::Data data = tutorial::load_best_data(false, args.quick ? 1000 : 0, args.quick ? 200 : 0);
  const Tensor x_train = tutorial::pad_to_32(data.split.x_train), x_test = tutorial::pad_to_32(data.split.x_test);
  const Tensor& y_test = data.split.y_test;  // only for the picture of the latent space
  std::printf("  %s\n  x_train %s, x_test %s\n", data.title.c_str(), nn::shape_str(x_train.shape()).c_str(),
              nn::shape_str(x_test.shape()).c_str());

  tutorial::section(args, 2, "The encoder: an image in, a cloud in the plane out");
  // The convolutions are tutorial 11's. Then two heads read the same 2,048 numbers: z_mean,
  // the centre μ of the image's cloud, and z_log_var, log σ² of its spread (a logarithm, so
  // any real number is a valid spread). Sampling draws z = μ + σ·ε with ε ~ N(0, 1): the
  // randomness is an input, so the gradient flows through μ and σ (the "reparameterisation
  // trick"), and every point of the cloud has to decode to this image.
  Node encoder_input = L::Input({32, 32, 1}, "encoder_input");
  Node x = L::Conv2D(32, 3, {.strides = 2, .padding = "same", .activation = "relu"})(encoder_input);
  x = L::Conv2D(64, 3, {.strides = 2, .padding = "same", .activation = "relu"})(x);
  x = L::Conv2D(128, 3, {.strides = 2, .padding = "same", .activation = "relu"})(x);
  const nn::Shape shape_before_flattening = x.shape();
  x = L::Flatten()(x);
  Node z_mean = L::Dense(2, "linear", "z_mean")(x);
  Node z_log_var = L::Dense(2, "linear", "z_log_var")(x);
  Node z = L::Sampling()({z_mean, z_log_var});
  nn::Model encoder({encoder_input}, {z_mean, z_log_var, z}, "encoder");
  encoder.summary();

  tutorial::section(args, 3, "The KL term: a loss the Sampling layer adds");
  // KL(N(μ, σ²) ‖ N(0, 1)) = −½·Σ_d (1 + log σ² − μ² − σ²), summed over the 2 coordinates and
  // averaged over the batch. It is 0 only for μ = 0, σ = 1, and grows as a cloud moves off
  // the origin (μ²) or shrinks to a point (−log σ²): that keeps the plane filled and smooth.
  // Sampling adds it to the training loss itself (Keras's add_loss), so fit needs nothing
  // extra; the history shows it as kl_loss.
  std::printf("  KL of one image's cloud, for a few (μ, log σ²) (the same in both coordinates):\n");
  for (const auto& [mu, log_var] : std::vector<std::pair<float, float>>{{0, 0}, {1, 0}, {0, -2}, {2, -4}}) {
    // −½·(1 + log σ² − μ² − σ²) per coordinate, written as ½·(μ² + σ² − 1 − log σ²), times 2
    const double kl = 2 * 0.5 * (mu * mu + std::exp(log_var) - 1 - log_var);
    std::printf("    μ = %.0f, log σ² = %2.0f:  KL = %.3f\n", mu, log_var, kl);
  }

  tutorial::section(args, 4, "The decoder: the same as the autoencoder's");
  Node decoder_input = L::Input({2}, "decoder_input");
  nn::Model decoder(decoder_input, tutorial::decoder_layers(decoder_input, shape_before_flattening), "decoder");
  decoder.summary();

  tutorial::section(args, 5, "Train: 500 × reconstruction loss + KL");
  // The VAE runs the encoder's layers up to z, then the decoder. The book weighs the
  // reconstruction (binary cross-entropy per pixel) by 500 against the KL term: with less,
  // the KL term wins and every image decodes to the same blur; with much more, it is tutorial
  // 11's autoencoder again.
  nn::Model vae(encoder_input, decoder(z), "vae");
  vae.set_output_names({"reconstruction"});  // its loss appears as reconstruction_loss
  vae.compile(nn::losses::BinaryCrossentropy(), nn::optimizers::Adam(0.0005f), {}, {.loss_weights = {500}});
  const int batch_size = args.quick ? 20 : 100;
  std::printf("  Adam(0.0005), batch %d, %d epoch%s\n", batch_size, epochs, epochs == 1 ? "" : "s");
  const nn::History history =
      vae.fit(x_train, x_train, {.batch_size = batch_size, .epochs = epochs, .validation_data = {x_test, x_test}});
  // History keeps each part as it is (reconstruction_loss: the mean binary cross-entropy of
  // a pixel, before its weight), and loss = 500 × reconstruction_loss + kl_loss.
  std::printf("  epoch       loss  =  500 × reconstruction_loss  +  kl_loss\n");
  for (int e = 0; e < history.epochs(); ++e)
    std::printf("  %5d   %8.2f  =  500 × %.4f               +  %.3f\n", e + 1, history["loss"][e],
                history["reconstruction_loss"][e], history["kl_loss"][e]);

  tutorial::section(args, 6, "Generating: decode points drawn from N(0, I)");
  nn::Rng rng(7);
  Tensor points({40, 2});
  for (float& v : points) v = rng.normal();
  const std::string generated_svg = tutorial::out_path(args, "12_generated.svg");
  tutorial::save_decoded_grid(decoder, points, 10, "New images: the decoder on 40 points z ~ N(0, I)", generated_svg);
  std::printf("  40 points drawn at random from a standard normal, decoded: %s\n", generated_svg.c_str());

  tutorial::section(args, 7, "The latent space: the test images' z_mean, now a normal cloud");
  const std::vector<Tensor> encoded = encoder.predict_outputs(x_test);  // z_mean, z_log_var, z
  const Tensor& means = encoded[0];
  const std::string plane_svg = tutorial::out_path(args, "12_latent_space.svg");
  tutorial::plot_latent_plane(means, y_test, data.class_names, "Latent space of the VAE: z_mean of the test images",
                              plane_svg);
  // Each image is a cloud around its z_mean, so the points z the decoder is trained on spread
  // wider than the centres: it is z that the KL term pulls towards N(0, 1).
  auto describe = [](const char* what, const Tensor& t) {  // t: (N, 2)
    double sum[2] = {0, 0}, sq[2] = {0, 0};
    const int n = t.dim(0);
    for (int i = 0; i < n; ++i)
      for (int d = 0; d < 2; ++d) sum[d] += t[2 * i + d], sq[d] += double{t[2 * i + d]} * t[2 * i + d];
    std::printf("  %-7s mean (%5.2f, %5.2f), standard deviation (%.2f, %.2f)\n", what, sum[0] / n, sum[1] / n,
                std::sqrt(sq[0] / n - sum[0] * sum[0] / n / n), std::sqrt(sq[1] / n - sum[1] * sum[1] / n / n));
  };
  describe("z_mean", means);
  describe("z", encoded[2]);
  std::printf("  (N(0, 1) has mean 0 and standard deviation 1.) The plane: %s\n", plane_svg.c_str());

  tutorial::section(args, 8, "A walk through the latent space, from one image to another");
  // Encode two test images, take 10 evenly spaced points on the straight line between their
  // z_mean, and decode each: one garment turns into the other.
  const int from = 0, to = 1;
  Tensor walk({10, 2});
  for (int k = 0; k < 10; ++k)
    for (int d = 0; d < 2; ++d) walk[2 * k + d] = means[2 * from + d] + (means[2 * to + d] - means[2 * from + d]) * k / 9.0f;
  const std::string walk_svg = tutorial::out_path(args, "12_walk.svg");
  tutorial::save_decoded_grid(decoder, walk, 10, "From test image 0 to test image 1 through the latent space", walk_svg);
  std::printf("  from test image %d (%s) to test image %d (%s): %s\n", from,
              data.class_names[static_cast<int>(y_test[from])].c_str(), to,
              data.class_names[static_cast<int>(y_test[to])].c_str(), walk_svg.c_str());

  // evaluate returns the total and each part, in the order of vae.metrics_names().
  const std::vector<float> result = vae.evaluate(x_test, x_test, 100, 0);
  const std::vector<std::string> names = vae.metrics_names();
  std::printf("test loss %.2f", result[0]);
  for (size_t i = 1; i < names.size(); ++i) std::printf(", %s %.4f", names[i].c_str(), result[i]);
  std::printf("\n");
  return 0;
}
