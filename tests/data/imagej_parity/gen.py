import numpy as np
from PIL import Image
rng = np.random.default_rng(12345)
H = {}
def g(n, mu, s, bins=256):
    v = np.clip(np.round(rng.normal(mu, s, n)), 0, bins-1).astype(int)
    return np.bincount(v, minlength=bins)
H['bimodal'] = g(5000, 60, 10) + g(2000, 180, 15)
H['skewed_background'] = np.bincount(np.clip(np.round(rng.gamma(3.0, 6.0, 20000)), 0, 255).astype(int), minlength=256)
t = g(30000, 12, 3)
t += np.bincount(np.clip(np.round(rng.exponential(60, 3000) + 20), 0, 255).astype(int), minlength=256)
H['bright_tail_saturated'] = t
s = np.zeros(256, int)
for b in rng.choice(256, 12, replace=False): s[b] = rng.integers(1, 500)
H['sparse'] = s
H['uniform'] = np.full(256, 37)
H['trimodal'] = g(4000, 40, 8) + g(3000, 120, 10) + g(1500, 210, 12)
H['narrow_peak'] = g(10000, 128, 2)
H['dark_peak_small_blob'] = g(50000, 5, 3) + g(800, 200, 6)
H['unequal_bimodal'] = g(60000, 30, 6) + g(300, 90, 5)
im = np.asarray(Image.open('/work/wt-thr/tests/data/fluocells/yellow/images/Mar24bS1C2R3_LHl_200x.png').convert('RGB')).astype(np.int32)
y = (im[...,0] + im[...,1]) // 2
H['real_yellow_Mar24bS1C2R3'] = np.bincount(y.ravel(), minlength=256)
z = lambda: np.zeros(256, int)
e = z(); H['empty'] = e
e = z(); e[0] = 1000; H['single_at_0'] = e
e = z(); e[255] = 1000; H['single_at_255'] = e
e = z(); e[100] = 7; H['single_mid'] = e
e = z(); e[50] = 10; e[200] = 30; H['two_bins'] = e
e = z(); e[100] = 10; e[101] = 10; H['two_adjacent_bins'] = e
e = z(); e[0] = 500; e[255] = 200; H['only_0_and_255'] = e
e = z(); e[0] = 900; e[1] = 50; e[2] = 5; H['mass_at_start'] = e
e = z(); e[255] = 900; e[254] = 50; e[253] = 5; H['mass_at_end'] = e
e = z(); e[3] = 1; e[7] = 2; e[250] = 1; H['three_tiny_bins'] = e
with open('histograms.tsv', 'w') as f:
    f.write('# name\tnbins\tsparse bin:count pairs (nonzero bins only)\n')
    for k, v in H.items():
        assert v.sum() < 2**31
        f.write(f"{k}\t{len(v)}\t" + ",".join(f"{i}:{c}" for i, c in enumerate(v) if c) + "\n")
print(H['real_yellow_Mar24bS1C2R3'].sum(), y.shape)
