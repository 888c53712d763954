// Parity and gradient cases of the texture models' graph terms (composed of checked ops; these
// check the composition): multi-resolution levels, smoothness, and the symmetry prior through a
// mirror map that is a flip with sub-texel offsets (so the bilinear taps blend) and a partial
// coverage mask.
import Foundation

enum TextureTermCases {
    static var cases: [OpCase] {
        [
            OpCase("texture_terms", "levels 4²+8² → 16² [.,.,3]", [.float([4, 4, 3]), .float([8, 8, 3])]) {
                g, x in
                try g.add(g.upsampleTexture(x[0], to: 16), g.upsampleTexture(x[1], to: 16))
            },
            OpCase("texture_terms", "smoothness [8,8,3]", [.float([8, 8, 3])]) { g, x in
                try g.textureSmoothness(x[0])
            },
            OpCase("texture_terms", "symmetry [8,8,3] flip+offset, masked", [.float([8, 8, 3])]) { g, x in
                try g.textureSymmetry(x[0], mirror: mirror, coverage: coverage)
            },
        ]
    }

    /// [8, 8, 2]: texel (i, j) mirrors to (1 − u + 0.3/8·sin, v + 0.2/8·cos), inside the map.
    static var mirror: HostTensor {
        HostTensor(
            [8, 8, 2],
            (0..<64).flatMap { k -> [Float] in
                let (i, j) = (Float(k / 8), Float(k % 8))
                return [
                    1 - (j + 0.5) / 8 + 0.3 / 8 * Foundation.sin(i + j),
                    (i + 0.5) / 8 + 0.2 / 8 * Foundation.cos(i * j),
                ]
            })
    }

    /// [8, 8, 1]: the corners and one row uncovered.
    static var coverage: HostTensor {
        HostTensor([8, 8, 1], (0..<64).map { k in k / 8 == 5 || [0, 7, 56, 63].contains(k) ? 0 : 1 })
    }
}
