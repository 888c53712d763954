// What a fit prints: its lines, and the stages' progress as a bar redrawn in place when stdout is a
// terminal (stage, iteration/total, main losses, it/s, ETA), a plain line per recorded iteration
// when it is not, nothing with --quiet (errors still go to stderr).
import Engine
import Foundation

final class FitConsole: @unchecked Sendable {
    enum Mode { case bar, lines, quiet }

    let mode: Mode
    private var barShown = false
    private var lastDrawn = Date.distantPast

    init(quiet: Bool) { mode = quiet ? .quiet : isatty(STDOUT_FILENO) != 0 ? .bar : .lines }

    /// Prints `text` on its own line (above the bar, which the next progress redraws).
    func line(_ text: String) {
        guard mode != .quiet else { return }
        if barShown { print("\r\u{1B}[K", terminator: "") }
        barShown = false
        print(text)
        fflush(stdout)
    }

    /// The observer for `FitProgress` (nil when quiet: the loop's lines then go to `line`, which drops them).
    var observer: FitProgress.Observer? {
        guard mode != .quiet else { return nil }
        return { [self] event in self.progress(event) }
    }

    private func progress(_ e: FitProgressEvent) {
        let rate = Double(e.iteration) / max(e.seconds, 1e-9)
        let eta = rate > 0 ? Double(e.total - e.iteration) / rate : 0
        let timing = String(format: "%.1f it/s, ETA %d:%02d", rate, Int(eta) / 60, Int(eta) % 60)
        // Lines name the iteration their losses were recorded at; the bar counts iterations done.
        let shown = mode == .lines ? e.iteration - 1 : e.iteration
        let counter =
            "\(e.stage) \(String(repeating: " ", count: max(0, 9 - e.stage.count)))"
            + String(format: "%*d/%d", String(e.total).count, shown, e.total)
        switch mode {
        case .quiet:
            return
        case .lines:
            guard e.recorded else { return }
            line(counter + ": " + losses(e, count: e.lossNames.count) + "  " + timing)
        case .bar:
            let now = Date()
            guard e.recorded || e.iteration == e.total || now.timeIntervalSince(lastDrawn) > 0.1 else {
                return
            }
            lastDrawn = now
            let width = 20
            let filled = e.total > 0 ? width * e.iteration / e.total : width
            let bar =
                "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                + "]"
            let text = "\(counter) \(bar) \(losses(e, count: 3))  \(timing)"
            print("\r\u{1B}[K" + String(text.prefix(110)), terminator: "")
            fflush(stdout)
            barShown = true
        }
    }

    /// The first `count` losses in the stage's order, "name value".
    private func losses(_ e: FitProgressEvent, count: Int) -> String {
        e.lossNames.prefix(count).compactMap { name in
            e.losses[name].map { String(format: "%@ %.4f", name, $0) }
        }
        .joined(separator: ", ")
    }
}
