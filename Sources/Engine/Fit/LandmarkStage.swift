// Stage 1: shape and expression coefficients, rotation and translation fitted to the 68
// landmarks alone (focal fixed), with Gaussian priors; the jaw-line contour re-chosen as the pose moves.

/// The result of the landmark stage.
public struct LandmarkFit {
    public var parameters: FaceParameters
    public let correspondences: LandmarkCorrespondences
    public let report: StageReport
    /// Mean landmark error in fitting-crop pixels at the start and the end.
    public let initialError: Float
    public let finalError: Float
}

enum LandmarkStage {
    /// Fits `start`'s geometry to `targets` [68] (crop pixels) for `iterations` Adam steps on `device`.
    static func run(_ face: FitModel, targets: [SIMD2<Float>], from start: FaceParameters, settings: FitSettings,
                    device: any Backend, log: (String) -> Void) throws -> LandmarkFit {
        let g = Graph()
        let geometry = try FaceGraph(g, face: face, settings: settings)
        let landmarks = try LandmarkTerm(g, screen: geometry.screen(g, size: settings.size), face: face)
        let total = try landmarks.objective(g, prior: geometry.prior)
        let gradients = try g.gradients(of: total, wrt: geometry.parameters)
        let program = try Program(graph: g, outputs: [total, landmarks.loss, geometry.prior, landmarks.projected, landmarks.contour]
                                  + gradients, device: device)
        for (name, value) in start.geometryFeeds { try program.set(name, value) }
        var parameters = start
        func choose() throws -> LandmarkCorrespondences {
            try program.run()
            try parameters.update(from: program)
            let chosen = try landmarks.correspondences(program, face: face, yawDegrees: parameters.yawDegrees,
                                                         frontal: settings.bothContoursWithinYaw,
                                                         contourWeight: settings.contourWeight, targets: targets)
            try LandmarkTerm.feed(program, chosen, targets: targets,
                                  noise: settings.landmarkNoisePixels(yawDegrees: parameters.yawDegrees))
            return chosen
        }
        var chosen = try choose()
        try program.run()
        let initialError = chosen.meanError(try program.read(landmarks.projected).values.points, targets)
        let loop = try StageLoop(name: "landmarks", program: program,
                                 losses: [("total", total), ("landmark", landmarks.loss), ("prior", geometry.prior)],
                                 groups: geometry.groups(gradients, settings.landmarkRates))
        let report = try loop.run(iterations: settings.landmarkIterations, logInterval: settings.logInterval,
                                  every: (settings.contourInterval, { _ in chosen = try choose() }), log: log)
        try parameters.update(from: program)
        let finalError = chosen.meanError(try program.read(landmarks.projected).values.points, targets)
        return LandmarkFit(parameters: parameters, correspondences: chosen, report: report, initialError: initialError,
                           finalError: finalError)
    }
}
