FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# WeasyPrint's pango and a Chinese font for the notices (PDF).
COPY bin/system-packages bin/
RUN bin/system-packages && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_ENV=production DJANGO_SECRET_KEY=build-only python manage.py collectstatic --no-input -v 0
# Uploaded documents and notices (a named volume in docker-compose.yml).
RUN mkdir -p /app/var/media && chown nobody /app/var/media
USER nobody
EXPOSE 8000
CMD ["gunicorn", "protection_center.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
