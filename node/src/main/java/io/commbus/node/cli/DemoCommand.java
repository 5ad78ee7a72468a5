package io.commbus.node.cli;

import io.commbus.node.demo.TradingDemo;

import java.io.PrintStream;
import java.util.List;

/** The main job: the trading desk, end to end, on one node in this process. */
final class DemoCommand implements Command {

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "run the trading desk end to end: Python strategies, Java callbacks, journaled trades";
  }

  @Override
  public String help() {
    return "usage: commbus demo\n\n"
        + "Starts a node in this process (an embedded file journal in a temporary directory, the\n"
        + "coordinator, and a pool of 2 Python workers running examples/trading/strategy.py), then:\n"
        + "  1. starts the node and its workers\n"
        + "  2. dispatches 5 orders at once; each worker reads 100 prices from the Java callback\n"
        + "     market.MarketData, asks risk.PositionCheck, and publishes trading.TradeExecuted\n"
        + "  3. shows a subscriber receiving the journaled TradeExecuted events\n"
        + "  4. shows the consumer group \"settlement\" processing them from the journal\n"
        + "  5. kills one worker with SIGKILL and shows it restart\n"
        + "  6. shows the next orders succeed\n"
        + "Needs python3 on PATH. Exits 0 when every step behaved as shown; the directory is removed.";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    if (!args.isEmpty()) {
      err.println("commbus demo: takes no arguments, got " + args);
      return Main.USAGE;
    }
    return new TradingDemo(out).run();
  }
}
