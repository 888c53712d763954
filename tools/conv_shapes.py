"""The conv2d benchmark shapes of `ganfit-gpu bench --filter conv2d` (Conv2d+Cases.swift), for the
peer scripts: (label, Cin, Cout, H = W, R, S, stride, padding ((top, bottom), (left, right)))."""
SAME3 = ((1, 1), (1, 1))
SHAPES = [(f"3×3 ({c},{h})", c, c, h, 3, 3, 1, SAME3)
          for c, h in [(512, 8), (256, 32), (128, 64), (64, 128), (32, 256), (16, 512), (64, 56), (128, 28), (256, 14)]]
SHAPES += [("1×7 (128,17)", 128, 128, 17, 1, 7, 1, ((0, 0), (3, 3))),
           ("7×1 (128,17)", 128, 128, 17, 7, 1, 1, ((3, 3), (0, 0))),
           ("stem 3→32 s2 160²", 3, 32, 160, 3, 3, 2, ((0, 0), (0, 0)))]
