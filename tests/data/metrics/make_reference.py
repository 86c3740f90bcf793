#!/usr/bin/env python3
"""Reference values for tests/stages/metrics_test.cpp, computed independently
of vidpred with Debian's python3-skimage and python3-scipy (numpy for MSE):

    cd tests/data/metrics && /usr/bin/python3 make_reference.py

writes pair<N>_a.png / pair<N>_b.png (64x64 RGB) and reference.csv
(pair, mse, psnr, ssim). Metrics as REFERENCE.md defines them, frames in
[0, 1] (uint8 / 255):
- MSE: mean over C*H*W of the squared error;
- PSNR: per channel 10*log10(1 / mse_c), averaged over channels
  (skimage.metrics.peak_signal_noise_ratio on each channel, data_range 1),
  a channel equal to the truth counting as 100 dB (vidpred's documented cap;
  skimage says inf): pair 2 has such a channel;
- SSIM: skimage.metrics.structural_similarity with gaussian_weights=True,
  sigma=1.5 (an 11x11 window), use_sample_covariance=False, data_range=1,
  channel_axis=2, float64. skimage averages the map after cropping the
  5-pixel border, which is the 'valid' 54x54 map of REFERENCE.md.
"""
import csv

import numpy as np
from scipy import ndimage
from skimage.io import imsave
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

rng = np.random.default_rng(20261125)
y, x = np.mgrid[0:64, 0:64] / 63.0


def rgb(r, g, b):
    return np.clip(np.stack([r, g, b], axis=2), 0, 1)


def quantize(img):
    return np.round(img * 255).astype(np.uint8)


gradient = rgb(x, y, 0.5 * (x + y))
checker = rgb(((np.floor(x * 8) + np.floor(y * 8)) % 2), 0.3 + 0.4 * x, 0.8 - 0.5 * y)
noise = rng.random((64, 64, 3))
pairs = [
    (gradient, np.clip(gradient + 0.05 * np.sin(20 * x)[..., None], 0, 1)),  # mild structured error
    (checker, np.roll(checker, 3, axis=1)),                                  # shifted texture
    (noise, ndimage.gaussian_filter(noise, sigma=(1.2, 1.2, 0))),            # blur of noise
    (gradient, 1.0 - gradient),                                              # inverted
    (checker, np.clip(checker * 0.8 + 0.1, 0, 1)),                           # contrast change
]

rows = []
for i, (a, b) in enumerate(pairs, start=1):
    qa, qb = quantize(a), quantize(b)
    imsave(f"pair{i}_a.png", qa, check_contrast=False)
    imsave(f"pair{i}_b.png", qb, check_contrast=False)
    fa, fb = qa.astype(np.float64) / 255.0, qb.astype(np.float64) / 255.0
    mse = float(np.mean((fa - fb) ** 2))
    with np.errstate(divide="ignore"):
        channels = [peak_signal_noise_ratio(fa[..., c], fb[..., c], data_range=1.0) for c in range(3)]
    psnr = float(np.mean([min(100.0, p) for p in channels]))
    ssim = float(structural_similarity(fa, fb, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                       data_range=1.0, channel_axis=2))
    rows.append((i, mse, psnr, ssim))

with open("reference.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["pair", "mse", "psnr", "ssim"])
    for r in rows:
        w.writerow([r[0]] + [repr(v) for v in r[1:]])
print(open("reference.csv").read())
