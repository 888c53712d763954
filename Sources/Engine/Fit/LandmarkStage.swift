// Stage 1: shape and expression coefficients, rotation and translation fitted to the 68
// landmarks alone (focal fixed), with Gaussian priors; the jaw-line contour re-chosen as the pose
// moves. Several photos of one person share the shape; each keeps its expression and pose.

/// The result of the landmark stage, per photo.
public struct LandmarkFit {
    public var parameters: [FaceParameters]
    public let correspondences: [LandmarkCorrespondences]
    public let report: StageReport
    /// Mean landmark error in fitting-crop pixels at the start and the end.
    public let initialErrors: [Float]
    public let finalErrors: [Float]
}

enum LandmarkStage {
    /// Fits each photo's `starts` geometry to its `targets` [68] (crop pixels), each landmark
    /// weighted by its photo's `reliabilities` [68] where the photo has them (one entry per photo,
    /// or none for equal weights), for `settings.landmarkIterations` Adam steps on `device`, one
    /// shape for all.
    static func run(
        _ face: FitModel, targets: [[SIMD2<Float>]], reliabilities: [[Float]?] = [],
        from starts: [FaceParameters],
        settings: FitSettings, device: any Backend, log: (String) -> Void
    ) throws -> LandmarkFit {
        precondition(targets.count == starts.count && !starts.isEmpty, "one start per photo's landmarks")
        precondition(
            reliabilities.isEmpty || reliabilities.count == targets.count, "reliabilities per photo, or none")
        let g = Graph()
        let geometry = try FaceGraph(g, face: face, settings: settings, views: starts.count)
        let terms = try geometry.views.enumerated().map {
            try LandmarkTerm(
                g, screen: $0.element.screen(g, size: settings.size), face: face, view: $0.offset,
                outlierScale: settings.landmarkOutlierScale)
        }
        let total = try LandmarkTerm.objective(g, terms, prior: geometry.prior)
        let meanLoss = try g.mean(terms.map(\.loss))
        let gradients = try g.gradients(of: total, wrt: geometry.parameters)
        let program = try Program(
            graph: g,
            outputs: [total, meanLoss, geometry.prior] + terms.flatMap { [$0.projected, $0.contour] }
                + gradients, device: device)
        for (view, start) in starts.enumerated() {
            for (name, value) in start.geometryFeeds(view: view) { try program.set(name, value) }
        }
        var parameters = starts
        func choose() throws -> [LandmarkCorrespondences] {
            try program.run()
            return try terms.indices.map { view in
                try parameters[view].update(from: program, view: view)
                let chosen = try terms[view].correspondences(
                    program, face: face, yawDegrees: parameters[view].yawDegrees,
                    frontal: settings.bothContoursWithinYaw,
                    contourWeight: settings.contourWeight,
                    reliability: reliabilities.isEmpty ? nil : reliabilities[view],
                    targets: targets[view])
                try LandmarkTerm.feed(
                    program, chosen, targets: targets[view],
                    noise: settings.landmarkNoisePixels(yawDegrees: parameters[view].yawDegrees), view: view)
                return chosen
            }
        }
        func errors(_ chosen: [LandmarkCorrespondences]) throws -> [Float] {
            try terms.indices.map {
                chosen[$0].meanError(try program.read(terms[$0].projected).values.points, targets[$0])
            }
        }
        var chosen = try choose()
        try program.run()
        let initialErrors = try errors(chosen)
        let loop = try StageLoop(
            name: "landmarks", program: program,
            losses: [("total", total), ("landmark", meanLoss), ("prior", geometry.prior)],
            groups: geometry.groups(
                gradients, settings.landmarkRates, nonNegativeExpressions: settings.nonNegativeExpressions))
        let report = try loop.run(
            iterations: settings.landmarkIterations, logInterval: settings.logInterval,
            every: (settings.contourInterval, { _ in chosen = try choose() }), log: log)
        for view in parameters.indices { try parameters[view].update(from: program, view: view) }
        return LandmarkFit(
            parameters: parameters, correspondences: chosen, report: report, initialErrors: initialErrors,
            finalErrors: try errors(chosen))
    }
}
