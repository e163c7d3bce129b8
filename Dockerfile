FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_ENV=production DJANGO_SECRET_KEY=build-only python manage.py collectstatic --no-input -v 0
USER nobody
EXPOSE 8000
CMD ["gunicorn", "protection_center.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
