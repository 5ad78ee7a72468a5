"""The trading strategy of the demo: a Python worker behind the bus type trading.ExecuteTrade.

For each order it reads 100 price points from the Java callback market.MarketData, asks the
Java callback risk.PositionCheck whether the position is allowed, publishes a journaled
trading.TradeExecuted event, and returns the result.
"""
from __future__ import annotations

import os
from typing import Any

import commbus


async def execute_trade(order: dict[str, Any]) -> dict[str, Any]:
    symbol = order["symbol"]
    quantity = int(order["quantity"])

    prices: list[float] = []
    async for point in commbus.market.MarketData({"symbol": symbol, "points": 100}):
        prices.append(point["price"])
    # A simple signal: buy at the volume-free average of the last 20 points.
    price = round(sum(prices[-20:]) / min(20, len(prices)), 2)

    verdict = None
    async for answer in commbus.risk.PositionCheck({"symbol": symbol, "quantity": quantity, "price": price}):
        verdict = answer
    if verdict is None or not verdict["allowed"]:
        reason = verdict["reason"] if verdict else "no answer from risk"
        return {"orderId": order["orderId"], "status": "rejected", "reason": reason,
                "worker": os.environ.get("COMMBUS_CHILD_ID")}

    position = await commbus.publish("trading.TradeExecuted", {
        "orderId": order["orderId"], "symbol": symbol, "quantity": quantity, "price": price,
    })
    return {
        "orderId": order["orderId"],
        "status": "executed",
        "symbol": symbol,
        "quantity": quantity,
        "price": price,
        "pricesRead": len(prices),
        "journalPosition": position,
        "worker": os.environ.get("COMMBUS_CHILD_ID"),
    }
