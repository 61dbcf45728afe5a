"""Risk analysis: indicators from published and national data, trends, anomalies, forecasts."""
