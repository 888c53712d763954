// The true 68 iBUG points of a synthetic face: the model's landmark vertices projected by the
// render's camera. The jaw points are fixed model vertices too (chosen once along the model's
// contour), not the pose-dependent silhouette an annotator marks; 61 and 65 as the fit makes them.

enum SynthLandmarks {
    /// iBUG number → vertex for every point but 61 and 65: the mapping's vertices, and jaw points
    /// 1–8 (17–10 on the other side) on the contour from the height of the outer eye corner (37, 46;
    /// where 300-W annotations put points 1 and 17) to the chin (point 9), evenly spaced by arc length
    /// on the mean face, each at the contour vertex nearest its place.
    static func vertices(_ face: FitModel) -> [Int: Int] {
        var result = face.mapping.vertices
        guard let chin = result[9], let rightEye = result[37], let leftEye = result[46] else { return result }
        let mean = face.model.meanVertices
        for (chain, numbers, eye) in [
            (face.contour.right, face.mapping.rightContour, rightEye),
            (face.contour.left, face.mapping.leftContour.reversed(), leftEye),
        ] where !chain.isEmpty {
            let top = chain.indices.min {
                Swift.abs(mean[chain[$0]].y - mean[eye].y) < Swift.abs(mean[chain[$1]].y - mean[eye].y)
            }!
            let nodes = Array(chain[top...]) + [chin]
            var arc: [Float] = [0]
            for k in 1..<nodes.count {
                let d = mean[nodes[k]] - mean[nodes[k - 1]]
                arc.append(arc[k - 1] + (d * d).sum().squareRoot())
            }
            for (k, number) in numbers.enumerated() {
                let place = arc.last! * Float(k) / Float(numbers.count)
                result[number] =
                    nodes[arc.indices.min { Swift.abs(arc[$0] - place) < Swift.abs(arc[$1] - place) }!]
            }
        }
        return result
    }

    /// [68] 0-based pixel centres from `screen` [V] (continuous pixels) and `vertices` (above), the
    /// inner mouth corners 61 and 65 from their neighbours as the fit writes landmarks.pts.
    static func points(_ vertices: [Int: Int], screen: [SIMD2<Float>]) -> [SIMD2<Float>] {
        LandmarkMapping.withInnerMouthCorners((1...68).map { n in vertices[n].map { screen[$0] } ?? .zero })
            .map { $0 - 0.5 }
    }
}
